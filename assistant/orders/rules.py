"""Business rules of the order store (the policy documents in assistant/policies say the same)."""

from __future__ import annotations

RETURN_WINDOW_DAYS = 30  # days after delivery a return may be started
CANCELLABLE = ("placed", "processing")  # not yet handed to the carrier
ORDER_STATES = (
    "placed", "processing", "shipped", "out_for_delivery", "delivered",
    "cancelled", "return_requested", "returned",
)
