"""The earliest moment anyone could invite a person: when the third other person they could share a group
with has registered. A lower bound for any planner, to read the latency of the paced run against.

A group needs at least `min_size` people who meet at one weekly slot, in one format, and of whom no two
clash (age span, distance, single-gender and same-topic wishes: the planner's own `clash`). Whoever is
invited was therefore not invited before `min_size - 1` such others had registered, whatever the planner.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from services.grouping.planning.model import Person, PlanningRules
from services.grouping.planning.pool import build_pool, clash
from services.registration.domain import identity_key, participant_id_for
from shared.reference import get_municipality
from shared.settings import Settings


def service_participant_id(source: str, external_ref: str) -> uuid.UUID:
    """The id the registration service derives for a reference: keyed with the same IDENTITY_HMAC_KEY
    (the environment the benchmark starts the services with, or the development default)."""
    return participant_id_for(source, external_ref, identity_key(Settings()))


def person(item: Mapping[str, Any]) -> Person:
    """A registration body as the grouping service will know the person."""
    return Person(
        participant_id=str(service_participant_id(item["source"], item["external_ref"])),
        birth_date=date.fromisoformat(item["birth_date"]),
        gender=item["gender"],
        municipality=item["municipality"],
        district=get_municipality(item["municipality"]).district,
        topic=item["topic"],
        composition=item["composition"],
        format=item["format"],
        availability=tuple(item["availability"]),
        single_gender=item["single_gender"],
        registered_at=datetime.now(UTC),
    )


def earliest_invitations(
    items: Iterable[Mapping[str, Any]],
    published: Mapping[uuid.UUID, float],
    rules: PlanningRules | None = None,
    today: date | None = None,
) -> dict[uuid.UUID, float]:
    """Seconds from each person's publish until `min_size - 1` compatible others had been published
    (only people for whom that happened)."""
    rules = rules or PlanningRules()
    today = today or date.today()
    by_district: dict[str, list[Person]] = defaultdict(list)
    for item in items:
        someone = person(item)
        if uuid.UUID(someone.participant_id) in published:
            by_district[someone.district].append(someone)
    earliest: dict[uuid.UUID, float] = {}
    for people in by_district.values():
        pool = build_pool(people, today, rules)
        at = [published[uuid.UUID(p.participant_id)] for p in people]
        for a in range(len(pool)):
            best = None
            for digital, ok in ((False, pool.in_person_ok), (True, pool.digital_ok)):
                if not ok[a]:
                    continue
                for slot in pool.slots[a]:
                    times = sorted(
                        at[b]
                        for b in range(len(pool))
                        if b != a and ok[b] and slot in pool.slots[b] and not clash(pool, a, b, digital)
                    )
                    if len(times) >= rules.min_size - 1:
                        ready = max(at[a], times[rules.min_size - 2])
                        best = ready if best is None else min(best, ready)
            if best is not None:
                earliest[uuid.UUID(pool.people[a].participant_id)] = best - at[a]
    return earliest
