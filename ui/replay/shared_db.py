"""Replay never writes into a live shared database by accident.

"Fresh" replay isolates conversations by copying the SQLite file; a server database (PostgreSQL) cannot be
copied that way, so a replay there writes sessions, interactions and order changes into it. ``shopbot
replay`` therefore refuses a non-SQLite database that already holds conversations or interactions unless
``--allow-shared-db`` is given.
"""

from __future__ import annotations

from sqlalchemy import create_engine, func, inspect, select, table

LIVE_TABLES = ("dialogue_events", "interactions", "widget_sessions")


def live_rows(engine) -> dict[str, int]:
    """Rows of the tables that only real traffic fills (missing tables count as empty)."""
    names = set(inspect(engine).get_table_names())
    out = {}
    with engine.connect() as conn:
        for name in LIVE_TABLES:
            if name in names:
                out[name] = int(conn.execute(select(func.count()).select_from(table(name))).scalar() or 0)
    return {k: v for k, v in out.items() if v}


def shared_db_problem(db_url: str, allow_shared_db: bool) -> str | None:
    """Why replay must not run against ``db_url``, or None."""
    if allow_shared_db or db_url.startswith("sqlite"):
        return None
    engine = create_engine(db_url, pool_pre_ping=True)  # a server URL (never SQLite here): only counted, then closed
    try:
        rows = live_rows(engine)
    finally:
        engine.dispose()
    if not rows:
        return None
    found = ", ".join(f"{n} {name}" for name, n in sorted(rows.items()))
    return (f"the database {engine.url.render_as_string(hide_password=True)} is shared and not empty ({found}): "
            "replay would write into it; use a SQLite data dir or an empty database, or pass --allow-shared-db")
