"""The whole broker topology, declared in code (and exported to deploy/rabbitmq/definitions.json).

One durable topic exchange per producing service plus the public intake; one quorum queue per
(consumer service, purpose) with a dead-letter queue beside it, an explicit delivery limit and
at-least-once dead-lettering.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

INTAKE_EXCHANGE = "selvhjelp.intake"
DEAD_LETTER_EXCHANGE = "selvhjelp.dlx"
SERVICES = ("registration", "grouping", "calendar", "notifications")


def exchange_of(service: str) -> str:
    return f"selvhjelp.{service}"


EXCHANGES = (INTAKE_EXCHANGE, *(exchange_of(s) for s in SERVICES))


@dataclass(frozen=True)
class QueueSpec:
    name: str
    owner: str
    bindings: tuple[tuple[str, str], ...]
    description: str = ""
    # A queue outside systems publish into: the broker-validated `user_id` message property names the
    # sender, and its consumer refuses a message without one (shared/messaging/consumer.py).
    sender_named_by_user_id: bool = False

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"

    def arguments(self, delivery_limit: int) -> dict[str, object]:
        return {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": self.name,
            "x-delivery-limit": delivery_limit,
            # at-least-once dead-lettering needs reject-publish overflow; nothing is dropped silently.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }


@dataclass(frozen=True)
class Topology:
    queues: tuple[QueueSpec, ...] = field(default_factory=tuple)

    def for_service(self, service: str) -> tuple[QueueSpec, ...]:
        return tuple(q for q in self.queues if q.owner == service)

    def queue(self, name: str) -> QueueSpec:
        return next(q for q in self.queues if q.name == name)


_REG = exchange_of("registration")
_GRP = exchange_of("grouping")
_CAL = exchange_of("calendar")
_NOT = exchange_of("notifications")
_ERASED = "participant.erased.v1"

TOPOLOGY = Topology(
    queues=(
        QueueSpec(
            "registration.intake",
            "registration",
            ((INTAKE_EXCHANGE, "registration.submitted.v1"),),
            "Registrations submitted by other systems, each named by the message's `user_id`.",
            sender_named_by_user_id=True,
        ),
        QueueSpec(
            "registration.erasure_reports",
            "registration",
            tuple((exchange_of(s), "participant.data_deleted.v1") for s in SERVICES if s != "registration"),
            "Each service's answer to an erasure, for the erasure report.",
        ),
        QueueSpec(
            "registration.placements",
            "registration",
            (
                (_GRP, "group.formed.v1"),
                (_GRP, "group.invitation_answered.v1"),
                (_GRP, "group.started.v1"),
                (_GRP, "group.member_joined.v1"),
                (_GRP, "group.member_left.v1"),
                (_GRP, "group.ended.v1"),
                (_GRP, "group.dissolved.v1"),
                (_GRP, "participant.waiting_options_changed.v1"),
                (_GRP, "group.merged.v1"),
            ),
            "Who got a place in a group and when it was over for them: shown on the status page and in the "
            "registration's history for staff, and the retention job erases the placed a period after their "
            "group ended or they left it. What would get a waiting person a group sooner (the status page).",
        ),
        QueueSpec(
            "grouping.pool",
            "grouping",
            (
                (_REG, "registration.accepted.v1"),
                (_REG, "participant.withdrew.v1"),
                (_REG, "registration.availability_changed.v1"),
                (_REG, "registration.changed.v1"),
                (_REG, _ERASED),
                (_NOT, "absence.reported.v1"),
                (_CAL, "group.scheduling_failed.v1"),
                (_CAL, "meeting.scheduled.v1"),
                (_CAL, "meeting.changed.v1"),
            ),
            "Waiting-pool changes and attendance; whether (and at which slot) a group was scheduled; a last "
            "meeting day staff set in the calendar (the group ends after it).",
        ),
        QueueSpec(
            "calendar.groups",
            "calendar",
            (
                (_GRP, "group.formed.v1"),
                (_GRP, "group.started.v1"),
                (_GRP, "group.dissolved.v1"),
                (_GRP, "group.member_left.v1"),
                (_GRP, "group.member_joined.v1"),
                (_GRP, "group.ended.v1"),
                (_GRP, "group.schedule_decided.v1"),
                (_GRP, "group.merged.v1"),
                (_NOT, "absence.reported.v1"),
                (_NOT, "starter.roster_shared.v1"),
                (_REG, _ERASED),
            ),
            "Groups to schedule; absences for the quorum check; members' first names for the starter.",
        ),
        # Two queues, so that a group's invitations never wait behind a burst of new registrations. A
        # person's own events stay in order in the first; the group's in the second.
        QueueSpec(
            "notifications.people",
            "notifications",
            (
                (_REG, "participant.contact_registered.v1"),
                (_REG, "participant.contact_changed.v1"),
                (_REG, "registration.rejected.v1"),
                (_REG, "participant.withdrew.v1"),
                (_REG, _ERASED),
                (_GRP, "participant.waiting_options_changed.v1"),
            ),
            "Contact details, withdrawals and erasures: whom we can tell, and how; what would get a waiting "
            "person a group sooner (one message).",
        ),
        QueueSpec(
            "notifications.messages",
            "notifications",
            (
                (_GRP, "group.*.v1"),
                (_CAL, "meeting.*.v1"),
                (_CAL, "reminder.due.v1"),
                (_CAL, "group.scheduling_failed.v1"),
                (_CAL, "starter.*.v1"),
            ),
            "What happens to groups and their meetings: what members and starters are told about.",
        ),
    )
)


# --- partner systems (shared/partners.py, docs/partners.md) ---------------------------------------------
# What registration answers a partner's submission with, on the partner's own queue.
PARTNER_REPLIES = ("registration.received.v1", "registration.rejected.v1")


def partner_owner(partner: str) -> str:
    """The `owner` of a partner's reply queue: the partner's broker user reads it, no service does."""
    return f"partner:{partner}"


def reply_routing_key(partner: str, event_type: str) -> str:
    """Registration publishes a reply to one partner under this key: only that partner's queue binds it."""
    return f"partner.{partner}.{event_type}"


def partner_reply_queue(partner: str) -> QueueSpec:
    return QueueSpec(
        f"partner.{partner}.replies",
        partner_owner(partner),
        tuple((_REG, reply_routing_key(partner, event_type)) for event_type in PARTNER_REPLIES),
        f"Answers to {partner}'s submissions (registration.received.v1, registration.rejected.v1); "
        "only its own broker user may read them.",
    )


def topology_with_partners(partners: Iterable[str], topology: Topology = TOPOLOGY) -> Topology:
    """The services' queues and a reply queue per partner system (named by its broker user)."""
    return Topology(queues=(*topology.queues, *(partner_reply_queue(name) for name in partners)))
