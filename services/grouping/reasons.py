"""Why someone waits, what would make a group, and why staff should look at a group, in the reader's
language. Pure.

The planner gives each waiting reason a code with parameters, the hint is computed as one, and a group's
flag is stored as one (`flag_code`); this module holds their words in bokmål, nynorsk and English and
renders them. What was stored before codes existed (English words only) is shown as it was stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.reference import get_municipality
from shared.scheduling_failures import scheduling_failure_words
from shared.texts import text
from shared.vocabulary import TOPIC_NAMES, known_language, name_of, slot_name

from .planning.model import Reason

REASON_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "under_age": "Under {min_age} år den {as_of} (alder {age}); gruppene er for voksne.",
        "pool_too_small": "Bare {count} venter i denne regionen, personen selv medregnet; en gruppe trenger minst {min_size}.",
        "no_format": "Ingen møteform er åpen for personen i denne planleggingen.",
        "held_for_larger": "En gruppe på {size} er mulig; den venter litt fordi flere som passer, trolig melder "
        "seg snart: en større gruppe holder bedre. Ingen venter mer enn {limit_days} dager av den grunn.",
        "group_possible": "Nok personer som passer sammen, venter; en gruppe kan foreslås ved neste planlegging.",
        "no_valid_combination": "Nok personer passer hver for seg, men ingen gruppe på {min_size} oppfyller alle "
        "reglene på en gang (for eksempel avstandene mellom kommunene eller en blanding av temaønsker).",
        "placed_elsewhere": "De som kunne dannet en gruppe med personen, ble plassert i andre grupper denne runden "
        "(de som har ventet lengst, går først); personen beholder plassen i køen.",
        "no_common_slot": "Færre enn {min_size} personer {where} deler en av personens tider ({times}){best}.",
        "no_common_slot_best": "; den beste tiden, {slot}, passer {people}",
        "single_gender_too_few": "Færre enn {min_size} personer av samme kjønn {where} deler tid og temaønske med "
        "personen for en gruppe med bare ett kjønn.",
        "others_want_single_gender": "De {where} som deler tid og temaønske med personen, vil ha en gruppe med bare "
        "sitt eget kjønn.",
        "age_span": "Færre enn {min_size} personer {where} som deler tid og temaønske med personen, er innenfor "
        "{span} år av personens alder.",
        "too_few_digital": "Færre enn {min_size} personer i {scope} er åpne for en digital gruppe (i tillegg til "
        "personen: {people}).",
        "too_few_nearby": "Færre enn {min_size} personer som vil møtes fysisk, bor i eller nær {place} (innen "
        "omtrent {km} km; i tillegg til personen: {people}).",
        "same_topic_too_few": "Færre enn {min_size} personer {where} som deler en tid med personen, vil ha en "
        "gruppe på samme tema ({topic}).",
        "cross_topic_too_few": "Færre enn {min_size} personer {where} som deler en tid med personen, vil ha en "
        "gruppe på tvers av tema.",
        "topic_too_few": "Færre enn {min_size} personer {where} som deler en tid med personen, passer "
        "temaønskene.",
        "where_nearby": "i nærheten",
        "where_digital": "som er åpne for en digital gruppe",
        "where_either": "i nærheten eller åpne for en digital gruppe",
        "scope_district": "distriktet",
        "scope_country": "landet",
        "no_times": "ingen oppgitt",
        "nobody": "ingen andre",
        "one_person": "1 annen person",
        "people": "{count} andre personer",
        # hints: what would make a group
        "hint_under_age": "Ingenting før personen fyller {min_age}.",
        "hint_no_times": "Personen må oppgi minst én tid som passer.",
        "hint_group_possible": "{count} andre passer {slot}: en gruppe kan foreslås ved neste planlegging "
        "(eller trykk «Planlegg nå»).",
        "hint_more_people": "{people} til{gender} i alderen {low}–{high} som kan {slot} {where} ville gitt en gruppe.",
        "hint_one": "Én person",
        "hint_many": "{need} personer",
        "hint_female": " kvinne",
        "hint_male": " mann",
        "hint_digital": "digitalt",
        "hint_near": "i eller nær {place}",
        # flags: why staff should look at a group
        "below_minimum": "{remaining} medlemmer (under minimum)",
        "decision_unanswered": "ingen medlemmer svarte på en avgjørelse innen fristen: følg opp gruppen",
        "scheduling_failed": "planlegging feilet: {reason}",
    },
    "nn": {
        "under_age": "Under {min_age} år den {as_of} (alder {age}); gruppene er for vaksne.",
        "pool_too_small": "Berre {count} ventar i denne regionen, personen sjølv medrekna; ei gruppe treng minst {min_size}.",
        "no_format": "Inga møteform er open for personen i denne planlegginga.",
        "held_for_larger": "Ei gruppe på {size} er mogleg; ho ventar litt fordi fleire som passar, truleg meldar "
        "seg snart: ei større gruppe held betre. Ingen ventar meir enn {limit_days} dagar av den grunnen.",
        "group_possible": "Nok personar som passar saman, ventar; ei gruppe kan føreslåast ved neste planlegging.",
        "no_valid_combination": "Nok personar passar kvar for seg, men inga gruppe på {min_size} oppfyller alle "
        "reglane på ein gong (til dømes avstandane mellom kommunane eller ei blanding av temaønske).",
        "placed_elsewhere": "Dei som kunne danna ei gruppe med personen, vart plasserte i andre grupper denne runden "
        "(dei som har venta lengst, går først); personen held på plassen i køen.",
        "no_common_slot": "Færre enn {min_size} personar {where} deler ei av tidene til personen ({times}){best}.",
        "no_common_slot_best": "; den beste tida, {slot}, passar {people}",
        "single_gender_too_few": "Færre enn {min_size} personar av same kjønn {where} deler tid og temaønske med "
        "personen for ei gruppe med berre eitt kjønn.",
        "others_want_single_gender": "Dei {where} som deler tid og temaønske med personen, vil ha ei gruppe med "
        "berre sitt eige kjønn.",
        "age_span": "Færre enn {min_size} personar {where} som deler tid og temaønske med personen, er innanfor "
        "{span} år av alderen til personen.",
        "too_few_digital": "Færre enn {min_size} personar i {scope} er opne for ei digital gruppe (i tillegg til "
        "personen: {people}).",
        "too_few_nearby": "Færre enn {min_size} personar som vil møtast fysisk, bur i eller nær {place} (innan "
        "om lag {km} km; i tillegg til personen: {people}).",
        "same_topic_too_few": "Færre enn {min_size} personar {where} som deler ei tid med personen, vil ha ei "
        "gruppe på same tema ({topic}).",
        "cross_topic_too_few": "Færre enn {min_size} personar {where} som deler ei tid med personen, vil ha ei "
        "gruppe på tvers av tema.",
        "topic_too_few": "Færre enn {min_size} personar {where} som deler ei tid med personen, passar "
        "temaønska.",
        "where_nearby": "i nærleiken",
        "where_digital": "som er opne for ei digital gruppe",
        "where_either": "i nærleiken eller opne for ei digital gruppe",
        "scope_district": "distriktet",
        "scope_country": "landet",
        "no_times": "ingen oppgitt",
        "nobody": "ingen andre",
        "one_person": "1 annan person",
        "people": "{count} andre personar",
        "hint_under_age": "Ingenting før personen fyller {min_age}.",
        "hint_no_times": "Personen må oppgi minst éi tid som passar.",
        "hint_group_possible": "{count} andre passar {slot}: ei gruppe kan føreslåast ved neste planlegging "
        "(eller trykk «Planlegg no»).",
        "hint_more_people": "{people} til{gender} i alderen {low}–{high} som kan {slot} {where} ville gitt ei gruppe.",
        "hint_one": "Éin person",
        "hint_many": "{need} personar",
        "hint_female": " kvinne",
        "hint_male": " mann",
        "hint_digital": "digitalt",
        "hint_near": "i eller nær {place}",
        "below_minimum": "{remaining} medlemer (under minimum)",
        "decision_unanswered": "ingen medlemer svarte på ei avgjerd innan fristen: følg opp gruppa",
        "scheduling_failed": "planlegginga feila: {reason}",
    },
    "en": {
        "under_age": "Under {min_age} on {as_of} (age {age}); groups are for adults.",
        "pool_too_small": "Only {count} people are waiting in this region, the person included; a group needs at "
        "least {min_size}.",
        "no_format": "No meeting format is open to this person in this planning run.",
        "held_for_larger": "A group of {size} is possible; it waits a little because more people who fit it "
        "are likely to register soon: a larger group lasts better. Nobody waits more than {limit_days} days "
        "for this.",
        "group_possible": "Enough people who fit together are waiting; a group can be proposed in the next "
        "planning run.",
        "no_valid_combination": "Enough people fit one by one, but no group of {min_size} meets every rule at once "
        "(for example the distances between their municipalities, or a mix of topic wishes).",
        "placed_elsewhere": "People who could form a group with this person were placed in other groups this round "
        "(those who have waited longest go first); the person keeps their place in the queue.",
        "no_common_slot": "Fewer than {min_size} people {where} share one of the person's times ({times}){best}.",
        "no_common_slot_best": "; the best time, {slot}, suits {people}",
        "single_gender_too_few": "Fewer than {min_size} people of the same gender {where} share a time and topic "
        "wish with the person for a single-gender group.",
        "others_want_single_gender": "The people {where} who share a time and topic wish with the person want a "
        "group of their own gender only.",
        "age_span": "Fewer than {min_size} people {where} who share a time and topic wish with the person are "
        "within {span} years of their age.",
        "too_few_digital": "Fewer than {min_size} people in {scope} are open to a digital group (besides the "
        "person, {people}).",
        "too_few_nearby": "Fewer than {min_size} people who want to meet in person live in or near {place} "
        "(within about {km} km; besides the person, {people}).",
        "same_topic_too_few": "Fewer than {min_size} people {where} who share a time with the person want a "
        "same-topic group on their topic ({topic}).",
        "cross_topic_too_few": "Fewer than {min_size} people {where} who share a time with the person want a "
        "group across topics.",
        "topic_too_few": "Fewer than {min_size} people {where} who share a time with the person fit their topic "
        "wishes.",
        "where_nearby": "nearby",
        "where_digital": "open to a digital group",
        "where_either": "nearby or open to a digital group",
        "scope_district": "the district",
        "scope_country": "the country",
        "no_times": "none given",
        "nobody": "no one else",
        "one_person": "1 other person",
        "people": "{count} other people",
        "hint_under_age": "Nothing until the person turns {min_age}.",
        "hint_no_times": "The person must give at least one time that suits them.",
        "hint_group_possible": "{count} others fit {slot}: a group can be proposed in the next planning run "
        "(or press “Plan now”).",
        "hint_more_people": "{people} aged {low}–{high} who can meet {slot} {where} would make a group.",
        "hint_one": "One more{gender} person",
        "hint_many": "{need} more{gender} people",
        "hint_female": " female",
        "hint_male": " male",
        "hint_digital": "online",
        "hint_near": "in or near {place}",
        "below_minimum": "{remaining} members (below minimum)",
        "decision_unanswered": "no member answered a decision by its deadline: follow the group up",
        "scheduling_failed": "scheduling failed: {reason}",
    },
}


def coded(code: str, **params: Any) -> dict[str, Any]:
    """A code with its parameters, as stored (JSON)."""
    return {"code": code, "params": params}


def stored_reason(reason: Reason) -> dict[str, Any]:
    """A waiting reason as stored in `pool.waiting_reasons`: the code, the English words, the parameters."""
    return {"code": reason.code, "text": reason.text, "params": reason.params}


def _words(language: str, key: str, **params: Any) -> str:
    return text(REASON_TEXTS, language, key, **params)


def _people(language: str, count: int) -> str:
    if count == 0:
        return _words(language, "nobody")
    return _words(language, "one_person") if count == 1 else _words(language, "people", count=count)


def _place(code: str) -> str:
    place = get_municipality(code)
    return place.name if place else code


def render_reason(stored: Mapping[str, Any], language: str) -> str:
    """One stored waiting reason in the reader's language; one stored without parameters as it was stored."""
    code, params = stored.get("code"), stored.get("params")
    if params is None or code not in REASON_TEXTS["nb"]:
        return str(stored.get("text", ""))
    language = known_language(language)
    words = dict(params)
    if "where" in words:
        words["where"] = _words(language, f"where_{words['where']}")
    if code == "no_common_slot":
        words["times"] = ", ".join(slot_name(s, language) for s in params["slots"]) or _words(
            language, "no_times"
        )
        best = params.get("best_slot")
        words["best"] = (
            _words(
                language,
                "no_common_slot_best",
                slot=slot_name(best, language),
                people=_people(language, params["best_count"]),
            )
            if best
            else ""
        )
    if code in ("too_few_digital", "too_few_nearby"):
        words["people"] = _people(language, params["count"])
    if code == "too_few_digital":
        words["scope"] = _words(language, f"scope_{params['scope']}")
    if code == "too_few_nearby":
        words["place"], words["km"] = _place(params["municipality"]), f"{params['km']:g}"
    if code == "same_topic_too_few":
        words["topic"] = name_of(TOPIC_NAMES, params["topic"], language).lower()
    return _words(language, code, **words)


# --- hints: what would it take -----------------------------------------------------------------
def render_hint(hint: Mapping[str, Any], language: str) -> str:
    """A hint from `hints.hint_for` in the reader's language."""
    code, params = hint["code"], dict(hint["params"])
    if "slot" in params:
        params["slot"] = slot_name(params["slot"], language)
    if code == "hint_more_people":
        need = params.pop("need")
        gender = _words(language, f"hint_{params['gender']}") if params["gender"] else ""
        params["gender"] = gender
        params["people"] = (
            _words(language, "hint_one", gender=gender)
            if need == 1
            else _words(language, "hint_many", need=need, gender=gender)
        )
        municipality = params.pop("municipality")
        params["where"] = (
            _words(language, "hint_digital")
            if params.pop("format") == "digital"
            else _words(language, "hint_near", place=_place(municipality))
        )
    return _words(language, code, **params)


# --- flags: why staff should look at a group ---------------------------------------------------
def below_minimum_flag(remaining: int) -> dict[str, Any]:
    return coded("below_minimum", remaining=remaining)


def scheduling_failed_flag(
    reason_code: str | None, reason_params: Mapping[str, Any], reason: str
) -> dict[str, Any]:
    """The flag for calendar's `group.scheduling_failed.v1`: its code if it sent one, else its words."""
    return coded(
        "scheduling_failed", reason_code=reason_code, reason_params=dict(reason_params), reason=reason
    )


def render_flag(flag_code: Mapping[str, Any] | None, flag: str | None, language: str) -> str:
    """A group's flag in the reader's language; one stored before codes (words only) as it was stored."""
    if not flag_code:
        return flag or ""
    code, params = flag_code["code"], dict(flag_code["params"])
    if code == "scheduling_failed":
        params["reason"] = scheduling_failure_words(
            params.get("reason_code"), params.get("reason_params"), params.get("reason", ""), language
        )
        params = {"reason": params["reason"]}
    return _words(language, code, **params)
