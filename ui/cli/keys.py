"""`shopbot keys [--origin URL ...] [--admin-password]`: a new widget site key and user-token secret (and, on
request, the bcrypt hash of an admin password read from the terminal or stdin), printed with the shopbot.toml and
environment lines that use them. Nothing is written anywhere: paste the lines into your configuration."""

from __future__ import annotations

import getpass
import json
import secrets
import sys


def register(sub) -> None:
    p = sub.add_parser("keys", help="print a new site key, user-token secret (and admin password hash) to configure")
    p.add_argument("--origin", action="append", default=[],
                   help="an origin (https://shop.example) allowed to use the new site key; repeatable")
    p.add_argument("--admin-password", action="store_true",
                   help="also hash an admin password for the Review / Analytics tabs (read from the terminal or stdin)")
    p.set_defaults(func=run)


def new_site_key() -> str:
    return f"site_{secrets.token_urlsafe(24)}"


def new_secret() -> str:
    return secrets.token_urlsafe(48)


def hash_password(password: str) -> str:
    import bcrypt

    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _read_password() -> str:
    from assistant.errors import UserError

    if sys.stdin.isatty():
        password = getpass.getpass("admin password: ")
        if getpass.getpass("again: ") != password:
            raise UserError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 12:
        raise UserError("the admin password needs at least 12 characters")
    if len(password.encode("utf-8")) > 72:
        raise UserError("the admin password may have at most 72 bytes (bcrypt's limit)")
    return password


def _check_origins(origins: list[str]) -> list[str]:
    from assistant.errors import UserError

    for origin in origins:
        if not origin.startswith(("https://", "http://")) or origin.rstrip("/").count("/") != 2:
            raise UserError(f"--origin must look like https://shop.example, not {origin!r}")
    return [o.rstrip("/") for o in origins]


def run(args, settings) -> int:
    origins = _check_origins(args.origin)
    admin_hash = hash_password(_read_password()) if args.admin_password else None
    key, secret = new_site_key(), new_secret()
    sites = [{"key": key, "origins": origins}]
    lines = ["# shopbot.toml (top-level keys first, then the [[sites]] table)",
             f'user_token_secret = "{secret}"']
    if admin_hash:
        lines += [f'admin_user = "{settings.admin_user}"', f"admin_password_hash = '{admin_hash}'"]
    lines += ["", "[[sites]]", f'key = "{key}"', f"origins = {json.dumps(origins)}", "",
              "# or the environment", f"SHOPBOT_USER_TOKEN_SECRET={secret}", f"SHOPBOT_SITES='{json.dumps(sites)}'"]
    if admin_hash:
        lines += [f"SHOPBOT_ADMIN_PASSWORD_HASH='{admin_hash}'"]
    lines += ["", f"# the widget tag: <script src=\".../static/widget.js\" data-site-key=\"{key}\"></script>",
              "# keep user_token_secret private: whoever has it can sign in as any customer"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
