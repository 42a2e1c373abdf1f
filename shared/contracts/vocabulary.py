"""Closed vocabularies shared by every service and by outside systems."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Topic(StrEnum):
    grief = "grief"
    anxiety = "anxiety"
    depression = "depression"
    loneliness = "loneliness"
    relatives = "relatives"  # pårørende
    addiction = "addiction"
    chronic_illness = "chronic_illness"
    cancer = "cancer"
    life_crisis = "life_crisis"
    self_image = "self_image"
    violence = "violence"
    other = "other"


class Gender(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    unspecified = "unspecified"


class Composition(StrEnum):
    same_topic = "same_topic"
    cross_topic = "cross_topic"
    any = "any"


class MeetingFormat(StrEnum):
    in_person = "in_person"
    digital = "digital"
    any = "any"


class Language(StrEnum):
    nb = "nb"
    nn = "nn"
    en = "en"


class Source(StrEnum):
    self = "self"
    contact_point = "contact_point"
    district_office = "district_office"
    external = "external"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYPARTS = ("daytime", "evening")
SLOTS = tuple(f"{d}_{p}" for d in WEEKDAYS for p in DAYPARTS)
"""A weekly slot: weekday × part of day, e.g. `tue_evening`."""


# --- the one check of weekly slots (shared.vocabulary re-exports it for the services) ---------------
SLOT_EXAMPLE = "use weekday_part such as tue_evening"


def unknown_slots(slots: Iterable[str]) -> list[str]:
    """The given slots that are not weekly slots of the vocabulary, in the order given."""
    return [slot for slot in slots if slot not in SLOTS]


def in_week_order(slots: Iterable[str]) -> list[str]:
    """Known slots once each, Monday daytime first (the order every page and event shows them in)."""
    return sorted(set(slots), key=SLOTS.index)


def checked_slots(slots: Iterable[str]) -> list[str]:
    """The slots in week order, or ValueError naming the unknown ones."""
    slots = list(slots)
    unknown = unknown_slots(slots)
    if unknown:
        raise ValueError(f"unknown slot(s) {', '.join(unknown)}; {SLOT_EXAMPLE}")
    return in_week_order(slots)
