"""Router precedence rules that need no stores: a bare order id answers the bot's "which order?"."""

import pytest

from assistant.dialogue.router import _bare_order_id
from assistant.records import Entity, Parse


def _parse(text: str, intent: str = "order_status") -> Parse:
    i = text.index("10002")
    return Parse(text, intent, 0.99, (Entity("ORDER_ID", "10002", "10002", i, i + 5),))


@pytest.mark.parametrize("text", ["10002", "order #10002", "it's 10002 please", "#10002.", "the order number is 10002"])
def test_bare_order_id_is_an_answer(text):
    assert _bare_order_id(_parse(text))


@pytest.mark.parametrize("text", ["where is 10002", "cancel 10002", "refund for order 10002", "track order 10002"])
def test_worded_order_request_is_not_bare(text):
    assert not _bare_order_id(_parse(text))
