"""The customer-service back end: customers, orders, items, shipments, returns, refunds, handoff tickets.

Every read or write goes through :class:`assistant.orders.repository.OrderRepository`, whose methods take
the signed-in ``user_id`` and never return or change another customer's data.
"""
