"""Commands of the notification service, one module per aggregate: deliveries (the queue of messages),
groups (this service's copy of them and the messages their events bring), absence ("I can't come"),
people (locks on a person, their preferences and their erasure) and starters (what a group's starter and
its district office are told).

Each runs inside the caller's transaction: what it learns about groups, the deliveries it queues and the
events it stages commit together or not at all, so a redelivered event (skipped by the inbox) or a retried
transaction never queues a message twice."""
