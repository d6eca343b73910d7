"""`shopbot forget USER` deletes that user's sessions, events, transcripts and interactions, nothing else."""

from __future__ import annotations

from assistant.db import make_engine
from assistant.events import EventLog, SessionStarted, UserUttered
from assistant.orders.repository import OrderRepository
from assistant.orders.seed import seed_demo_store
from ui.cli.main import main


def test_forget_cli(settings, capsys):
    engine = make_engine(settings.db_url)
    log, repo = EventLog(engine), OrderRepository(engine)
    seed_demo_store(repo)
    log.append("sa", "alice", SessionStarted(), UserUttered("hi"))
    log.append("sb", "bob", SessionStarted(), UserUttered("hello"))
    repo.create_ticket("alice", "sa", "help", "user: hi")
    repo.create_ticket("bob", "sb", "help", "user: hello")
    interactions = None
    try:
        from assistant.interactions import Interaction, InteractionStore

        interactions = InteractionStore(engine)
        for user in ("alice", "bob"):
            interactions.log(Interaction(user_id=user, item_id="P00001", kind="click", ts=1.0, position=0,
                                         propensity=1.0, session_id="s"))
    except ImportError:
        pass

    assert main(["--data-dir", str(settings.data_dir), "forget", "alice"]) == 0
    assert "forgot alice" in capsys.readouterr().out
    assert log.events("sa") == [] and repo.tickets("alice") == []
    assert len(log.events("sb")) == 2 and len(repo.tickets("bob")) == 1
    assert repo.get_order("alice", "10001") is not None and len(repo.customers()) == 4
    if interactions is not None:
        assert interactions.history("alice") == [] and len(interactions.history("bob")) == 1


def test_forget_cli_needs_a_user(settings, capsys):
    assert main(["--data-dir", str(settings.data_dir), "forget", "  "]) == 2
    assert "user id" in capsys.readouterr().err
