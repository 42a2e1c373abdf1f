"""Renders every message the service sends, in bokmål (default), nynorsk and English, as subject, plain
text, HTML and SMS. Pure: reads template files, nothing else.

Templates live in `templates/messages/<language>/<message_type>.{subject.txt,txt,html,sms.txt}`; the HTML parts
extend the one layout `templates/messages/_base.html`. Dates and times are formatted by language-aware filters
(`long_date`, `short_date`, `clock`, `weekday`, `duration`), always in Europe/Oslo time.
"""

from __future__ import annotations

import argparse
import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, pass_context, select_autoescape
from jinja2.runtime import Context

from shared.vocabulary import WEEKDAY_NAMES, slot_name

from .domain import ESSENTIAL, MESSAGE_TYPES, OSLO
from .samples import SAMPLES

__all__ = [
    "DEFAULT_LANGUAGE",
    "ESSENTIAL",
    "LANGUAGES",
    "MESSAGE_TYPES",
    "PARTS",
    "REJECTION_REASONS",
    "SENSITIVE_KEYS",
    "RenderedMessage",
    "build_parser",
    "preview_all",
    "render",
    "resolve_language",
    "sample_context",
]

TEMPLATE_DIR = Path(__file__).with_name("templates") / "messages"
LANGUAGES = ("nb", "nn", "en")
DEFAULT_LANGUAGE = "nb"
PARTS = {"subject": "subject.txt", "text": "txt", "html": "html", "sms": "sms.txt"}
"""Part of a message -> file suffix of its template."""

# What a person works on is special-category data (GDPR art. 9). It is dropped before rendering, so a
# template that tried to use it would fail on the missing variable instead of leaking it.
SENSITIVE_KEYS = frozenset({"topic", "topic_text"})

REJECTION_REASONS = ("too_young", "unknown_municipality", "missing_contact", "missing_consent", "invalid")
"""Codes for `registration_rejected`'s `reasons`; the templates explain each (any other code: generically)."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    sms: str


# --- language-aware filters --------------------------------------------------------------------
_WEEKDAYS = {language: tuple(names.values()) for language, names in WEEKDAY_NAMES.items()}  # Monday is 0
_NORWEGIAN_MONTHS = (
    "januar februar mars april mai juni juli august september oktober november desember".split()
)
_MONTHS = {
    "nb": _NORWEGIAN_MONTHS,
    "nn": _NORWEGIAN_MONTHS,
    "en": "January February March April May June July August September October November December".split(),
}
_HOURS_MINUTES = {  # (hour, hours, minute, minutes, "and")
    "nb": ("time", "timer", "minutt", "minutter", "og"),
    "nn": ("time", "timar", "minutt", "minutt", "og"),
    "en": ("hour", "hours", "minute", "minutes", "and"),
}


def _language(context: Context) -> str:
    return context.get("language", DEFAULT_LANGUAGE)


def _local(value: date | str) -> date:
    # Contexts stored as JSON carry ISO 8601 strings. Aware datetimes are shown as Oslo wall-clock time;
    # naive ones are taken to be Oslo time already.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(OSLO)
    return value


@pass_context
def _weekday(context: Context, value: date | str) -> str:
    return _WEEKDAYS[_language(context)][_local(value).weekday()]


@pass_context
def _short_date(context: Context, value: date | str) -> str:
    language, day = _language(context), _local(value)
    month = _MONTHS[language][day.month - 1]
    separator = " " if language == "en" else ". "
    return f"{_WEEKDAYS[language][day.weekday()]} {day.day}{separator}{month}"


@pass_context
def _long_date(context: Context, value: date | str) -> str:
    return f"{_short_date(context, value)} {_local(value).year}"


@pass_context
def _clock(context: Context, value: datetime | str) -> str:
    # Norwegian writes 18.00 (Språkrådet), English 18:00.
    local = _local(value)
    separator = ":" if _language(context) == "en" else "."
    return f"{local.hour:02d}{separator}{local.minute:02d}"


@pass_context
def _duration(context: Context, minutes: int) -> str:
    hour, hours, minute, minutes_word, and_ = _HOURS_MINUTES[_language(context)]
    whole_hours, rest = divmod(int(minutes), 60)
    pieces = []
    if whole_hours:
        pieces.append(f"{whole_hours} {hour if whole_hours == 1 else hours}")
    if rest or not whole_hours:
        pieces.append(f"{rest} {minute if rest == 1 else minutes_word}")
    return f" {and_} ".join(pieces)


@pass_context
def _slot(context: Context, slot: str) -> str:
    """A weekly time in words, e.g. "tirsdager på kvelden", "on Tuesdays in the evening"."""
    return slot_name(slot, _language(context))


def _first_name(name: str) -> str:
    """Only the first name of a person goes to others (e.g. in an absence notice)."""
    words = str(name).split()
    return words[0] if words else ""


def _refuse_none(value: Any) -> Any:
    # Printing "None" into a message is always a bug in the caller's context; fail loudly instead.
    if value is None:
        raise ValueError("a template printed None; give the variable a value or test it with {% if %}")
    return value


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        finalize=_refuse_none,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        first_name=_first_name,
        weekday=_weekday,
        short_date=_short_date,
        long_date=_long_date,
        clock=_clock,
        duration=_duration,
        slot=_slot,
    )
    return environment


def _template(language: str, message_type: str, part: str) -> Template:
    return _environment().get_template(f"{language}/{message_type}.{PARTS[part]}")


# --- rendering ---------------------------------------------------------------------------------
def resolve_language(language: str | None) -> str:
    """`nn`, `nn-NO`, `EN_gb` ... -> a supported language; anything else falls back to bokmål."""
    code = re.split(r"[-_]", str(language or "").strip().lower())[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def _one_line(rendered: str) -> str:
    return " ".join(rendered.split())


def _tidy(rendered: str) -> str:
    lines = [line.rstrip() for line in rendered.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


# Variables a template gained after messages of its type were already queued with their context: a
# message queued before the upgrade renders with these instead of failing.
_NO_CALENDAR_LINKS = {"meetings_url": None, "calendar_feed_url": None}
_NO_LEAVE_LINK = {"leave_url": None}  # group messages queued before the leave page existed
_ADDED_LATER: dict[str, dict[str, Any]] = {
    "schedule_changed": {"paused_from": None, "last_day": None, **_NO_LEAVE_LINK},
    # Messages queued before the links were added render without them.
    "group_started": {**_NO_CALENDAR_LINKS, **_NO_LEAVE_LINK},
    "first_meeting": {**_NO_CALENDAR_LINKS, **_NO_LEAVE_LINK},
    "meeting_reminder": _NO_LEAVE_LINK,
    "meeting_at_risk": _NO_LEAVE_LINK,
    # Vote requests queued before the candidates' page had a yes and a no link instead.
    "admission_vote_request": {**_NO_LEAVE_LINK, "vote_url": None, "wanted": None, "candidate_count": None},
    # group_ended shares the preferences partial, which offers the way out only while there is a group.
    "group_ended": _NO_LEAVE_LINK,
}


def render(message_type: str, language: str | None, context: Mapping[str, Any]) -> RenderedMessage:
    """Render all four parts. A variable the template needs but `context` lacks raises
    `jinja2.UndefinedError`; a variable that is None where text is expected raises `ValueError`."""
    if message_type not in MESSAGE_TYPES:
        raise ValueError(f"unknown message type {message_type!r}")
    language = resolve_language(language)
    values = {**_ADDED_LATER.get(message_type, {})}
    values.update((key, value) for key, value in context.items() if key not in SENSITIVE_KEYS)
    values["language"] = language
    values["subject"] = _one_line(_template(language, message_type, "subject").render(values))
    return RenderedMessage(
        subject=values["subject"],
        text=_tidy(_template(language, message_type, "text").render(values)),
        html=_tidy(_template(language, message_type, "html").render(values)),
        sms=_one_line(_template(language, message_type, "sms").render(values)),
    )


# --- previews ---------------------------------------------------------------------------------


def sample_context(message_type: str) -> dict[str, Any]:
    """Realistic data for previews and tests: the recipient `name` plus what the message type needs."""
    if message_type not in MESSAGE_TYPES:
        raise ValueError(f"unknown message type {message_type!r}")
    return {"name": "Kari Nordmann", **copy.deepcopy(SAMPLES[message_type])}


def preview_all(out_dir: Path | str) -> list[Path]:
    """Write every message type × language × part rendered with sample data to
    `out_dir/<language>/<message_type>.<suffix>`; return the files written."""
    written = []
    for language in LANGUAGES:
        folder = Path(out_dir) / language
        folder.mkdir(parents=True, exist_ok=True)
        for message_type in MESSAGE_TYPES:
            message = render(message_type, language, sample_context(message_type))
            for part, suffix in PARTS.items():
                path = folder / f"{message_type}.{suffix}"
                path.write_text(getattr(message, part), encoding="utf-8")
                written.append(path)
    return written


def _run_preview(args: argparse.Namespace) -> int:
    written = preview_all(args.out)
    print(f"wrote {len(written)} files to {args.out}")
    return 0


def build_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `preview` to the `notifications` command: `selvhjelp notifications preview --out DIR`.
    The handler is stored as `args.func(args) -> int`."""
    parser = subparsers.add_parser(
        "preview", help="Render every message in every language with sample data, for review."
    )
    parser.add_argument(
        "--out", type=Path, default=Path("notification-previews"), help="Directory to write the files to."
    )
    parser.set_defaults(func=_run_preview)
    # The local mail and SMS sinks sit beside the preview: both let a person read what would be sent.
    from .sinks import build_parser as build_sinks_parser

    build_sinks_parser(subparsers)
    return parser
