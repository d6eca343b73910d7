"""Analytics over the event log and the interaction store: summary metrics, the misunderstood-turn inbox,
and off-policy estimates of other ranker weightings. Reads other stores; never writes them."""
