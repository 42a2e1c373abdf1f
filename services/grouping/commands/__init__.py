"""Commands of the grouping service, one module per aggregate: planning (asking for and making a district's
plan), invitations (a group before it starts, and a person's place in it), admission (a running group
admitting a newcomer) and staff (the console's changes to a proposed group); common holds what they share.

Each runs inside the caller's transaction and stages its events in the outbox; the database's unique index
on active memberships backs up "a person is in at most one group"."""
