"""`shopbot forget USER`: delete that user everywhere: interactions, sessions (events), handoff transcripts,
reviewed labels and widget session bindings in the database, then (``--server URL``, repeatable) the caches of
running servers through their authenticated admin endpoint (``POST /v1/admin/forget``, settings
``admin_token``), repeated until every worker process of a multi-worker server answered. Orders are business records and are kept."""

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
                             "needs admin_token in the settings; repeat for each server")
    parser.add_argument("--server-workers", type=int, default=1, metavar="N",
                        help="worker processes behind each --server (`shopbot serve --workers N`): the request is "
                             "repeated on fresh connections until N different workers have dropped their caches")
    parser.set_defaults(func=run)


def notify_server(url: str, token: str, user: str, timeout_s: float = 30.0) -> dict:
    """POST /v1/admin/forget on a running server; the JSON report, or UserError with the server's error code."""
    from assistant.errors import UserError

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
    from assistant.privacy import forget_user
    from assistant.stores import open_stores
    from assistant.errors import UserError

    user = (args.user or "").strip()
    if not user:
        raise UserError("give the user id to forget, e.g. `shopbot forget alice`")
    if args.server and not settings.admin_token:
        raise UserError("--server needs admin_token in the settings (SHOPBOT_ADMIN_TOKEN), the same as the server's")
    with open_stores(settings) as stores:
        report = forget_user(stores.engine, user)
    print(f"forgot {user}: {report.interactions} interactions, {report.events} session events, "
          f"{report.tickets} handoff transcripts, {report.labels} reviewed labels, "
          f"{report.widget_sessions} widget sessions deleted")
    if not 1 <= args.server_workers <= 64:
        raise UserError(f"--server-workers must be between 1 and 64, not {args.server_workers}")
    for url in args.server:
        notify_workers(url, settings.admin_token, user, args.server_workers)
    return 0


def notify_workers(url: str, token: str, user: str, workers: int) -> set[int]:
    """POST until ``workers`` distinct worker pids answered (each new connection may land on any worker)."""
    from assistant.errors import UserError

    seen: set[int] = set()
    for _ in range(max(10, 20 * workers)):
        answer = notify_server(url, token, user)
        if answer["worker_pid"] not in seen:
            seen.add(answer["worker_pid"])
            print(f"{url}: worker {answer['worker_pid']} dropped {answer['cached_sessions']} cached sessions "
                  "and the ranker profile")
        if len(seen) >= workers:
            return seen
    raise UserError(f"only {len(seen)} of {workers} workers of {url} answered; run the command again")
