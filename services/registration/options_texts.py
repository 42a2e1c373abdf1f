"""Words for "what would get you a group sooner" on the status page (waiting_options.py), in nb, nn, en."""

from __future__ import annotations

from shared.reference import get_municipality
from shared.texts import texts_for
from shared.vocabulary import slot_name

OPTIONS_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Dette kan gi deg en gruppe raskere",
        "intro": "Akkurat nå venter det nok folk til en gruppe hvis du gjør ett av disse valgene. "
        "Du bestemmer selv; det du velger, lagres med en gang.",
        "more_times": "Du kan også møtes {times}.",
        "more_times_button": "Legg til disse tidene",
        "digital": "Du kan også være med i en digital gruppe (møter på video).",
        "digital_button": "Ja, digitale grupper også",
        "cross_topic": "Du kan være med i en gruppe på tvers av temaer, der folk arbeider med ulike "
        "utfordringer sammen.",
        "cross_topic_button": "Ja, grupper på tvers av temaer også",
        "neighbour_municipality": "Du kan møtes i {municipality}, en nabokommune.",
        "neighbour_municipality_button": "Møt i {municipality}",
        "and": "og",
        "taken": "Valget ditt er lagret. Vi ser etter en gruppe til deg med det samme.",
        "not_offered": "Dette valget gjelder ikke lenger. Se hva som gjelder nå nedenfor.",
        "invited": "Du er invitert til en gruppe. Svar på invitasjonen først.",
    },
    "nn": {
        "title": "Dette kan gje deg ei gruppe raskare",
        "intro": "Akkurat no ventar det nok folk til ei gruppe viss du gjer eitt av desse vala. "
        "Du bestemmer sjølv; det du vel, blir lagra med ein gong.",
        "more_times": "Du kan òg møtast {times}.",
        "more_times_button": "Legg til desse tidene",
        "digital": "Du kan òg vere med i ei digital gruppe (møte på video).",
        "digital_button": "Ja, digitale grupper òg",
        "cross_topic": "Du kan vere med i ei gruppe på tvers av tema, der folk arbeider med ulike "
        "utfordringar saman.",
        "cross_topic_button": "Ja, grupper på tvers av tema òg",
        "neighbour_municipality": "Du kan møtast i {municipality}, ein nabokommune.",
        "neighbour_municipality_button": "Møt i {municipality}",
        "and": "og",
        "taken": "Valet ditt er lagra. Vi ser etter ei gruppe til deg med ein gong.",
        "not_offered": "Dette valet gjeld ikkje lenger. Sjå kva som gjeld no nedanfor.",
        "invited": "Du er invitert til ei gruppe. Svar på invitasjonen først.",
    },
    "en": {
        "title": "What would get you a group sooner",
        "intro": "Right now enough people are waiting for a group if you make one of these choices. "
        "It is up to you; what you choose is saved at once.",
        "more_times": "You could also meet {times}.",
        "more_times_button": "Add these times",
        "digital": "You could also join a digital group (meetings by video).",
        "digital_button": "Yes, digital groups too",
        "cross_topic": "You could join a group across topics, where people work on different "
        "challenges together.",
        "cross_topic_button": "Yes, groups across topics too",
        "neighbour_municipality": "You could meet in {municipality}, a neighbouring municipality.",
        "neighbour_municipality_button": "Meet in {municipality}",
        "and": "and",
        "taken": "Your choice is saved. We are looking for a group for you straight away.",
        "not_offered": "That choice no longer applies. See what applies now below.",
        "invited": "You are invited to a group. Answer the invitation first.",
    },
}


def worded_options(options: list[dict] | None, language: str) -> list[dict[str, str]]:
    """Each option as {code, text, button} in the reader's language (times and places by name)."""
    words = texts_for(OPTIONS_TEXTS, language)
    worded = []
    for option in options or ():
        code, params = option["code"], option.get("params") or {}
        if code not in ("more_times", "digital", "cross_topic", "neighbour_municipality"):
            continue  # a code this version does not know yet: not shown
        names = [slot_name(slot, language).lower() for slot in params.get("slots", ())]
        times = ", ".join(names[:-1]) + f" {words['and']} " + names[-1] if len(names) > 1 else "".join(names)
        place = get_municipality(params.get("municipality", ""))
        fill = {"times": times, "municipality": place.name if place else params.get("municipality", "")}
        worded.append(
            {
                "code": code,
                "text": words[code].format(**fill),
                "button": words[f"{code}_button"].format(**fill),
            }
        )
    return worded
