"""Words of the staff console's arranging of groups (take a person out, move a person, form a group by
hand) and of its refusals, in bokmål, nynorsk and English. Refusals are stored and passed as codes with
parameters (commands/arranging.py, arrangement_rules.py) and rendered here in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.reference import get_municipality
from shared.texts import text, texts_for
from shared.vocabulary import FORMAT_NAMES, known_language, name_of, slot_name

ARRANGE_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "arrange_title": "Sett sammen grupper",
        "arrange_intro": "Ta en person ut av en foreslått gruppe, flytt en person til en annen foreslått gruppe, "
        "eller sett sammen en gruppe av personer som venter. Hver endring sjekkes mot gruppereglene og "
        "loggføres med hvem og hvorfor.",
        "reason_label": "Begrunnelse (loggføres)",
        "reason_missing": "Skriv en begrunnelse: hver endring loggføres med hvem og hvorfor.",
        "proposed_groups": "Foreslåtte grupper",
        "no_proposed": "Ingen foreslåtte grupper i distriktet.",
        "member": "Medlem",
        "age": "Alder",
        "take_out": "Ta ut (tilbake på ventelisten)",
        "move_to": "Flytt til",
        "move": "Flytt",
        "form_title": "Sett sammen en gruppe av personer som venter",
        "form_hint": "Velg minst {min_size} og høyst {max_size} personer, tid og møteform.",
        "choose": "Velg",
        "slot": "Tid",
        "format": "Møteform",
        "form_button": "Sett sammen gruppen",
        "waiting_since": "Venter siden",
        "municipality": "Kommune",
        "topic": "Tema",
        "times": "Tider",
        "group_at": "Gruppe {slot}, {place}",
        "refused": "Endringen ble ikke gjort: {message}",
        "done_taken_out": "Personen er tatt ut av gruppen og venter igjen med sin opprinnelige ventetid; "
        "invitasjonen er trukket tilbake.",
        "done_moved": "Personen er flyttet og får en invitasjon til den nye gruppen.",
        "done_formed": "Gruppen er satt sammen; medlemmene får invitasjon når den har tid og sted.",
        # refusals
        "no_group": "Fant ikke gruppen i distriktet ditt.",
        "not_proposed": "Bare en foreslått gruppe (ikke startet ennå) kan endres her.",
        "closed_group": "Gruppen har startet og er lukket: ingen nye kommer inn uten at medlemmene selv "
        "bestemmer det (opptak av ny deltaker ved avstemning i gruppen).",
        "not_member": "Personen er ikke med i denne gruppen.",
        "not_waiting": "Personen venter ikke i distriktet ditt (kanskje allerede invitert eller plassert).",
        "same_group": "Personen er allerede i den gruppen.",
        "bad_choice": "Velg personer, tid og møteform.",
        "breaks_rules": "Gruppen ville brutt reglene:",
        # rule breaches
        "too_many": "{count} personer er flere enn høyst {max_size}.",
        "too_few": "{count} personer er færre enn minst {min_size}.",
        "twice": "En person er med to ganger.",
        "under_age": "{count} er under {min_age} år.",
        "age_span": "Aldersspennet ville blitt {span} år (høyst {max_span}).",
        "not_available": "{count} kan ikke møtes {slot}.",
        "no_format": "Velg fysisk eller digitalt.",
        "format_refused": "{count} vil ikke ha en gruppe som møtes {format}.",
        "too_far": "{first} og {second} ligger for langt fra hverandre for en fysisk gruppe.",
        "digital_districts": "En digital gruppe kan ikke gå på tvers av distrikter.",
        "wants_same_topic": "{count} vil ha en gruppe med samme tema.",
        "wants_cross_topic": "{count} vil ha en gruppe på tvers av tema.",
        "wants_single_gender": "{count} vil ha en gruppe med bare sitt eget kjønn.",
        "lone_gender": "Én mann blant kvinner eller én kvinne blant menn.",
    },
    "nn": {
        "arrange_title": "Set saman grupper",
        "arrange_intro": "Ta ein person ut av ei føreslått gruppe, flytt ein person til ei anna føreslått "
        "gruppe, eller set saman ei gruppe av personar som ventar. Kvar endring vert sjekka mot "
        "grupperegler og loggført med kven og kvifor.",
        "reason_label": "Grunngjeving (vert loggført)",
        "reason_missing": "Skriv ei grunngjeving: kvar endring vert loggført med kven og kvifor.",
        "proposed_groups": "Føreslåtte grupper",
        "no_proposed": "Ingen føreslåtte grupper i distriktet.",
        "member": "Medlem",
        "age": "Alder",
        "take_out": "Ta ut (tilbake på ventelista)",
        "move_to": "Flytt til",
        "move": "Flytt",
        "form_title": "Set saman ei gruppe av personar som ventar",
        "form_hint": "Vel minst {min_size} og høgst {max_size} personar, tid og møteform.",
        "choose": "Vel",
        "slot": "Tid",
        "format": "Møteform",
        "form_button": "Set saman gruppa",
        "waiting_since": "Ventar sidan",
        "municipality": "Kommune",
        "topic": "Tema",
        "times": "Tider",
        "group_at": "Gruppe {slot}, {place}",
        "refused": "Endringa vart ikkje gjord: {message}",
        "done_taken_out": "Personen er teken ut av gruppa og ventar att med den opphavlege ventetida; "
        "invitasjonen er trekt tilbake.",
        "done_moved": "Personen er flytta og får ein invitasjon til den nye gruppa.",
        "done_formed": "Gruppa er sett saman; medlemmene får invitasjon når ho har tid og stad.",
        "no_group": "Fann ikkje gruppa i distriktet ditt.",
        "not_proposed": "Berre ei føreslått gruppe (ikkje starta enno) kan endrast her.",
        "closed_group": "Gruppa har starta og er lukka: ingen nye kjem inn utan at medlemmene sjølve "
        "avgjer det (opptak av ny deltakar ved avrøysting i gruppa).",
        "not_member": "Personen er ikkje med i denne gruppa.",
        "not_waiting": "Personen ventar ikkje i distriktet ditt (kanskje alt invitert eller plassert).",
        "same_group": "Personen er alt i den gruppa.",
        "bad_choice": "Vel personar, tid og møteform.",
        "breaks_rules": "Gruppa ville brote reglane:",
        "too_many": "{count} personar er fleire enn høgst {max_size}.",
        "too_few": "{count} personar er færre enn minst {min_size}.",
        "twice": "Ein person er med to gonger.",
        "under_age": "{count} er under {min_age} år.",
        "age_span": "Aldersspennet ville vorte {span} år (høgst {max_span}).",
        "not_available": "{count} kan ikkje møtast {slot}.",
        "no_format": "Vel fysisk eller digitalt.",
        "format_refused": "{count} vil ikkje ha ei gruppe som møtest {format}.",
        "too_far": "{first} og {second} ligg for langt frå kvarandre for ei fysisk gruppe.",
        "digital_districts": "Ei digital gruppe kan ikkje gå på tvers av distrikt.",
        "wants_same_topic": "{count} vil ha ei gruppe med same tema.",
        "wants_cross_topic": "{count} vil ha ei gruppe på tvers av tema.",
        "wants_single_gender": "{count} vil ha ei gruppe med berre sitt eige kjønn.",
        "lone_gender": "Éin mann blant kvinner eller éi kvinne blant menn.",
    },
    "en": {
        "arrange_title": "Arrange groups",
        "arrange_intro": "Take a person out of a proposed group, move a person to another proposed group, or "
        "form a group from people who are waiting. Every change is checked against the rules of a group "
        "and logged with who and why.",
        "reason_label": "Reason (logged)",
        "reason_missing": "Give a reason: every change is logged with who and why.",
        "proposed_groups": "Proposed groups",
        "no_proposed": "No proposed groups in the district.",
        "member": "Member",
        "age": "Age",
        "take_out": "Take out (back to the waiting list)",
        "move_to": "Move to",
        "move": "Move",
        "form_title": "Form a group from people who are waiting",
        "form_hint": "Choose at least {min_size} and at most {max_size} people, a time and a format.",
        "choose": "Choose",
        "slot": "Time",
        "format": "Format",
        "form_button": "Form the group",
        "waiting_since": "Waiting since",
        "municipality": "Municipality",
        "topic": "Topic",
        "times": "Times",
        "group_at": "Group {slot}, {place}",
        "refused": "The change was not made: {message}",
        "done_taken_out": "The person is out of the group and waiting again with their original waiting time; "
        "the invitation is withdrawn.",
        "done_moved": "The person is moved and gets an invitation to the new group.",
        "done_formed": "The group is formed; its members are invited once it has a time and place.",
        "no_group": "No such group in your district.",
        "not_proposed": "Only a proposed group (not started yet) can be changed here.",
        "closed_group": "The group has started and is closed: nobody new joins unless its members decide so "
        "themselves (admission of a newcomer by the group's vote).",
        "not_member": "The person is not in this group.",
        "not_waiting": "The person is not waiting in your district (perhaps already invited or placed).",
        "same_group": "The person is already in that group.",
        "bad_choice": "Choose people, a time and a format.",
        "breaks_rules": "The group would break the rules:",
        "too_many": "{count} people are more than the maximum of {max_size}.",
        "too_few": "{count} people are fewer than the minimum of {min_size}.",
        "twice": "A person appears twice.",
        "under_age": "{count} are under {min_age}.",
        "age_span": "The age span would be {span} years (at most {max_span}).",
        "not_available": "{count} cannot meet {slot}.",
        "no_format": "Choose in person or online.",
        "format_refused": "{count} do not want a group that meets {format}.",
        "too_far": "{first} and {second} are too far apart for an in-person group.",
        "digital_districts": "An online group cannot span districts.",
        "wants_same_topic": "{count} want a same-topic group.",
        "wants_cross_topic": "{count} want a group across topics.",
        "wants_single_gender": "{count} want a group of their own gender only.",
        "lone_gender": "One man among women or one woman among men.",
    },
}


def municipality_name(number: str) -> str:
    place = get_municipality(number)
    return place.name if place else number


def arrange_texts(language: str) -> dict[str, Any]:
    return texts_for(ARRANGE_TEXTS, language)


def render_breach(found: Mapping[str, Any], language: str) -> str:
    """One broken rule (arrangement_rules.rule_breaches) in the reader's language."""
    language = known_language(language)
    params = dict(found.get("params") or {})
    if "slot" in params:
        params["slot"] = slot_name(params["slot"], language)
    if "format" in params:
        params["format"] = name_of(FORMAT_NAMES, params["format"], language).lower()
    for key in ("first", "second"):
        if key in params:
            params[key] = municipality_name(params[key])
    return text(ARRANGE_TEXTS, language, found["code"], **params)


def render_refusal(code: str, breaches: list[Mapping[str, Any]], language: str) -> str:
    """Why an arrangement was refused: the refusal, then each broken rule."""
    words = [text(ARRANGE_TEXTS, language, code)]
    words += [render_breach(found, language) for found in breaches]
    return " ".join(words)
