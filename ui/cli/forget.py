"""`shopbot forget USER`: delete that user's interactions, sessions (events) and transcripts; nothing else."""

from __future__ import annotations


def register(sub) -> None:
    parser = sub.add_parser("forget", help="delete a user's history, sessions and transcripts")
    parser.add_argument("user", help="the user id to forget")
    parser.set_defaults(func=run)


def run(args, settings) -> int:
    from assistant.db import make_engine
    from assistant.privacy import forget_user
    from ui.cli.main import UserError

    user = (args.user or "").strip()
    if not user:
        raise UserError("give the user id to forget, e.g. `shopbot forget alice`")
    report = forget_user(make_engine(settings.db_url), user)
    print(f"forgot {user}: {report.interactions} interactions, {report.events} session events, "
          f"{report.tickets} handoff transcripts, {report.labels} reviewed labels deleted")
    return 0
