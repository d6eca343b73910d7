"""`shopbot forget USER`: delete that user everywhere: interactions, sessions (events), handoff transcripts,
reviewed labels and widget session bindings in the database, then (``--server URL``, repeatable) the caches of
running servers through their authenticated admin endpoint (``POST /v1/admin/forget``, settings
``admin_token``). Orders are business records and are kept."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

log = logging.getLogger(__name__)


def register(sub) -> None:
    parser = sub.add_parser("forget", help="delete a user's history, sessions and transcripts everywhere")
    parser.add_argument("user", help="the user id to forget")
    parser.add_argument("--server", action="append", default=[], metavar="URL",
                        help="a running server (e.g. http://127.0.0.1:7860) whose caches must forget the user too; "
                             "needs admin_token in the settings; repeat for each server or worker")
    parser.set_defaults(func=run)


def notify_server(url: str, token: str, user: str, timeout_s: float = 30.0) -> dict:
    """POST /v1/admin/forget on a running server; the JSON report, or UserError with the server's error code."""
    from ui.cli.main import UserError

    request = urllib.request.Request(
        url.rstrip("/") + "/v1/admin/forget", data=json.dumps({"user_id": user}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - operator-given URL
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            code = json.loads(exc.read())["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = f"HTTP {exc.code}"
        raise UserError(f"{url} refused the forget request ({code})") from None
    except (urllib.error.URLError, OSError) as exc:
        raise UserError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None


def run(args, settings) -> int:
    from assistant.db import make_engine
    from assistant.privacy import forget_user
    from ui.cli.main import UserError

    user = (args.user or "").strip()
    if not user:
        raise UserError("give the user id to forget, e.g. `shopbot forget alice`")
    if args.server and not settings.admin_token:
        raise UserError("--server needs admin_token in the settings (SHOPBOT_ADMIN_TOKEN), the same as the server's")
    report = forget_user(make_engine(settings.db_url), user)
    print(f"forgot {user}: {report.interactions} interactions, {report.events} session events, "
          f"{report.tickets} handoff transcripts, {report.labels} reviewed labels, "
          f"{report.widget_sessions} widget sessions deleted")
    for url in args.server:
        answer = notify_server(url, settings.admin_token, user)
        print(f"{url}: dropped {answer['cached_sessions']} cached sessions and the ranker profile "
              f"(worker {answer['worker_pid']})")
    return 0
