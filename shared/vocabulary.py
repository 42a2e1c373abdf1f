"""The shared vocabulary in words: every term's name in bokmål, nynorsk and English, and the one check of
weekly slots.

The terms themselves (topics, formats, compositions, languages, slot codes) are the closed vocabularies of
`shared.contracts.vocabulary`, which outside systems build against; this module only names them, so that
every page, staff page and message says "tirsdag" or "Tuesday" the same way. A service's own words (its
headings, its buttons) stay in that service's texts.
"""

from __future__ import annotations

# The one check of weekly slots lives beside the slot codes in the contracts, whose validators use it too;
# services import it from here, with the names.
from shared.contracts.vocabulary import (  # noqa: F401
    DAYPARTS,
    SLOT_EXAMPLE,
    WEEKDAYS,
    Composition,
    Language,
    MeetingFormat,
    Topic,
    checked_slots,
    in_week_order,
    unknown_slots,
)

LANGUAGES = tuple(language.value for language in Language)
DEFAULT_LANGUAGE = "nb"

# Each language by its own name (what a reader looks for in a language switcher or a chooser).
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}

# A weekday, in lower case as inside a sentence ("tirsdag 3. mars"); English capitalises its weekdays.
WEEKDAY_NAMES: dict[str, dict[str, str]] = {
    "nb": dict(
        zip(WEEKDAYS, ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"), strict=True)
    ),
    "nn": dict(
        zip(WEEKDAYS, ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"), strict=True)
    ),
    "en": dict(
        zip(
            WEEKDAYS,
            ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
            strict=True,
        )
    ),
}
# A weekday every week, as in "møtes tirsdager på kvelden" / "meets on Tuesdays in the evening".
WEEKLY_DAY_NAMES: dict[str, dict[str, str]] = {
    "nb": {day: f"{name}er" for day, name in WEEKDAY_NAMES["nb"].items()},
    "nn": {day: f"{name}ar" for day, name in WEEKDAY_NAMES["nn"].items()},
    "en": {day: f"on {name}s" for day, name in WEEKDAY_NAMES["en"].items()},
}
# A part of the day as a name ("Kveld" as a column heading) and within a weekly time ("på kvelden").
DAYPART_NAMES: dict[str, dict[str, str]] = {
    "nb": {"daytime": "Dagtid", "evening": "Kveld"},
    "nn": {"daytime": "Dagtid", "evening": "Kveld"},
    "en": {"daytime": "Daytime", "evening": "Evening"},
}
WEEKLY_DAYPART_NAMES: dict[str, dict[str, str]] = {
    "nb": {"daytime": "på dagtid", "evening": "på kvelden"},
    "nn": {"daytime": "på dagtid", "evening": "på kveldstid"},
    "en": {"daytime": "during the day", "evening": "in the evening"},
}

TOPIC_NAMES: dict[str, dict[str, str]] = {
    "nb": {
        "grief": "Sorg",
        "anxiety": "Angst",
        "depression": "Depresjon",
        "loneliness": "Ensomhet",
        "relatives": "Pårørende",
        "addiction": "Avhengighet",
        "chronic_illness": "Kronisk sykdom",
        "cancer": "Kreft",
        "life_crisis": "Livskrise",
        "self_image": "Selvbilde",
        "violence": "Vold",
        "other": "Annet",
    },
    "nn": {
        "grief": "Sorg",
        "anxiety": "Angst",
        "depression": "Depresjon",
        "loneliness": "Einsemd",
        "relatives": "Pårørande",
        "addiction": "Avhengnad",
        "chronic_illness": "Kronisk sjukdom",
        "cancer": "Kreft",
        "life_crisis": "Livskrise",
        "self_image": "Sjølvbilete",
        "violence": "Vald",
        "other": "Anna",
    },
    "en": {
        "grief": "Grief",
        "anxiety": "Anxiety",
        "depression": "Depression",
        "loneliness": "Loneliness",
        "relatives": "Relatives",
        "addiction": "Addiction",
        "chronic_illness": "Chronic illness",
        "cancer": "Cancer",
        "life_crisis": "Life crisis",
        "self_image": "Self-image",
        "violence": "Violence",
        "other": "Other",
    },
}
FORMAT_NAMES: dict[str, dict[str, str]] = {
    "nb": {"in_person": "Fysisk", "digital": "Digitalt", "any": "Begge"},
    "nn": {"in_person": "Fysisk", "digital": "Digitalt", "any": "Begge"},
    "en": {"in_person": "In person", "digital": "Online", "any": "Either"},
}
COMPOSITION_NAMES: dict[str, dict[str, str]] = {
    "nb": {"same_topic": "Samme tema", "cross_topic": "På tvers av tema", "any": "Begge"},
    "nn": {"same_topic": "Same tema", "cross_topic": "På tvers av tema", "any": "Begge"},
    "en": {"same_topic": "Same topic", "cross_topic": "Across topics", "any": "Either"},
}
# A group's life in grouping: proposed, then running, and at last dissolved or ended.
GROUP_STATUS_NAMES: dict[str, dict[str, str]] = {
    "nb": {"proposed": "Foreslått", "started": "I gang", "dissolved": "Oppløst", "ended": "Avsluttet"},
    "nn": {"proposed": "Føreslått", "started": "I gang", "dissolved": "Oppløyst", "ended": "Avslutta"},
    "en": {"proposed": "Proposed", "started": "Running", "dissolved": "Dissolved", "ended": "Ended"},
}

# Which closed vocabulary each name table names: a unit test checks every term has a name in every language.
NAMED_TERMS: dict[str, tuple[dict[str, dict[str, str]], tuple[str, ...]]] = {
    "languages": ({language: LANGUAGE_NAMES for language in LANGUAGES}, LANGUAGES),
    "weekdays": (WEEKDAY_NAMES, WEEKDAYS),
    "weekly days": (WEEKLY_DAY_NAMES, WEEKDAYS),
    "dayparts": (DAYPART_NAMES, DAYPARTS),
    "weekly dayparts": (WEEKLY_DAYPART_NAMES, DAYPARTS),
    "topics": (TOPIC_NAMES, tuple(Topic)),
    "formats": (FORMAT_NAMES, tuple(MeetingFormat)),
    "compositions": (COMPOSITION_NAMES, tuple(Composition)),
    "group statuses": (GROUP_STATUS_NAMES, ("proposed", "started", "dissolved", "ended")),
}


def known_language(language: str | None) -> str:
    """The language if it is one of ours, else bokmål (the one fallback rule for names and texts)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def weekday_name(index_or_code: int | str, language: str) -> str:
    """A weekday by `date.weekday()` (Monday is 0) or by code (`tue`), e.g. `tirsdag`, `Tuesday`."""
    code = WEEKDAYS[index_or_code] if isinstance(index_or_code, int) else index_or_code
    return WEEKDAY_NAMES[known_language(language)][code]


def slot_name(slot: str, language: str) -> str:
    """A weekly slot in words: `tue_evening` is "tirsdager på kvelden", "on Tuesdays in the evening"."""
    day, part = slot.split("_")
    language = known_language(language)
    return f"{WEEKLY_DAY_NAMES[language][day]} {WEEKLY_DAYPART_NAMES[language][part]}"


def as_labels(names: dict[str, str]) -> dict[str, str]:
    """Names as labels on their own (a form's checkbox, a column): capitalised, "tirsdag" as "Tirsdag"."""
    return {term: name[:1].upper() + name[1:] for term, name in names.items()}


def name_of(table: dict[str, dict[str, str]], term: str, language: str) -> str:
    """A term's name from one of the tables above; an unknown term is shown as it is."""
    return table[known_language(language)].get(str(term), str(term))
