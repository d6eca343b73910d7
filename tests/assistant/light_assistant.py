"""A real Assistant (real SQLite stores, real router, flows, commit) with light stand-ins for the heavy parts
(keyword parser, an empty product index, no policy passages, a slow streaming writer), so tests about turns,
sessions and effects run in seconds, in-process or in a subprocess that a test SIGKILLs mid-turn:

    python -m tests.assistant.light_assistant DATA_DIR MARKER {writing|commit}

builds the assistant over DATA_DIR, starts a session for ``alice`` and sends "cancel order 10003". It touches
MARKER while the turn is in the middle of the reply ("writing") or inside the commit transaction, after the
order row was updated ("commit"), then sleeps until it is killed.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.assistant import Assistant
from assistant.db import make_engine
from assistant.orders.repository import OrderRepository
from assistant.orders.seed import seed_demo_store
from assistant.settings import Settings
from retrieval.catalog.taxonomy import CatalogVocabulary
from tests.assistant.runtime_parts import assistant_of
from tests.assistant.standin_parser import StandinParser

CANCEL = "cancel order 10003"  # alice's "placed" order in the seeded demo store
SESSION_FILE = "session.txt"


class EmptyIndex:
    def all_products(self):
        return []

    def get(self, ids):
        return []

    def search(self, query, filters=None, k=50):
        return []

    def coverage(self, text):
        return 0.0


class NoPolicies:
    def search(self, question, k=2, intent=None):
        return []


@dataclass(frozen=True)
class Written:
    text: str
    guard_passed: bool = True
    fallback: bool = False


class SlowWriter:
    """Streams the notes word by word with a pause per word; ``on_write`` runs when writing starts."""

    def __init__(self, delay_s: float = 0.05, on_write=None) -> None:
        self.delay_s, self.on_write = delay_s, on_write

    def _text(self, facts) -> str:
        return " ".join(facts.notes) or "OK."

    def write(self, facts) -> Written:
        if self.on_write:
            self.on_write()
        time.sleep(self.delay_s)
        return Written(self._text(facts))

    def stream(self, facts):
        if self.on_write:
            self.on_write()
        for word in self._text(facts).split(" "):
            time.sleep(self.delay_s)
            yield word + " "
        yield Written(self._text(facts))


def light_assistant(data_dir: Path, *, writer=None, parser=None, **settings) -> Assistant:
    s = Settings(data_dir=data_dir, catalog_size=50, **settings)
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(s.db_url)
    orders = OrderRepository(engine)
    if not orders.has_customers():
        seed_demo_store(orders)
    return assistant_of(s, parser=parser or StandinParser(), index=EmptyIndex(), policies=NoPolicies(), writer=writer,
                        ranker=None, vocabulary=CatalogVocabulary.from_products([]))


def _main(data_dir: Path, marker: Path, mode: str) -> None:
    def reached() -> None:
        marker.write_text("reached")
        time.sleep(600)  # the test kills the process here

    bot = light_assistant(data_dir, writer=SlowWriter(on_write=reached if mode == "writing" else None))
    if mode == "commit":
        apply_cancel = OrderRepository.apply_cancel

        def slow_apply(self, conn, *args):
            apply_cancel(self, conn, *args)
            reached()

        OrderRepository.apply_cancel = slow_apply
    sid = bot.new_session("alice")
    (data_dir / SESSION_FILE).write_text(sid)
    bot.handle(sid, "alice", CANCEL)


if __name__ == "__main__":
    _main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
