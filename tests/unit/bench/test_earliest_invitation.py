"""The lower bound the paced benchmark reads its latency against (bench/earliest.py)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from tests.support.factories import registration_body

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from earliest import earliest_invitations  # noqa: E402
from earliest import service_participant_id as participant_id_for  # noqa: E402

pytestmark = pytest.mark.unit


def someone(ref: str, **overrides) -> dict:
    return registration_body(source="external", external_ref=ref, **overrides)


def times(items: list[dict], at: list[float]) -> dict[uuid.UUID, float]:
    return {
        participant_id_for("external", item["external_ref"]): t for item, t in zip(items, at, strict=True)
    }


def test_a_person_can_be_invited_no_sooner_than_the_third_compatible_other_registers():
    items = [someone(f"r{k}") for k in range(5)]
    published = times(items, [0.0, 1.0, 2.0, 7.0, 9.0])

    earliest = earliest_invitations(items, published)

    first, second, third, fourth, fifth = (participant_id_for("external", i["external_ref"]) for i in items)
    assert earliest[first] == pytest.approx(7.0)  # waits for the fourth person
    assert earliest[second] == pytest.approx(6.0)
    assert earliest[fourth] == 0.0  # three compatible people were already there
    assert earliest[fifth] == 0.0


def test_people_who_cannot_share_a_slot_or_a_topic_do_not_count():
    items = [
        someone("a"),
        someone("b"),
        someone("c", availability=["mon_daytime"]),  # another slot
        someone("d", topic="anxiety", composition="same_topic"),  # wants their own topic only
        someone("e"),
        someone("f"),
    ]
    published = times(items, [0.0, 1.0, 2.0, 3.0, 10.0, 20.0])

    earliest = earliest_invitations(items, published)

    a = participant_id_for("external", "a")
    assert earliest[a] == pytest.approx(20.0)  # b, e and f are the only ones a could meet with
    assert participant_id_for("external", "c") not in earliest
    assert participant_id_for("external", "d") not in earliest
