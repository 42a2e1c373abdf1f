"""The one way a service's words are looked up: a catalogue per service, the reader's language, and one
fallback rule (an unknown language reads bokmål; a key a translation lacks reads the bokmål text).

A catalogue maps language → key → text; texts may hold `{name}` fields filled from the parameters.
Pages pass `texts_for(catalogue, language)` to templates as `t`; code that stores a code with
parameters (a waiting reason, a hint, a flag) renders it with `text(catalogue, language, code, **params)`.
The names of shared terms (weekdays, slots, topics, formats) come from `shared.vocabulary`, not from
catalogues.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.vocabulary import DEFAULT_LANGUAGE, known_language

Catalogue = Mapping[str, Mapping[str, Any]]


def texts_for(catalogue: Catalogue, language: str | None) -> dict[str, Any]:
    """Every text of the catalogue in the language, bokmål where the translation lacks one."""
    language = known_language(language)
    return {**catalogue[DEFAULT_LANGUAGE], **catalogue.get(language, {})}


def text(catalogue: Catalogue, language: str | None, key: str, /, **params: Any) -> str:
    """One text in the reader's language with its `{fields}` filled; KeyError if bokmål lacks the key too."""
    language = known_language(language)
    template = catalogue.get(language, {}).get(key)
    if template is None:
        template = catalogue[DEFAULT_LANGUAGE][key]
    return template.format(**params) if params else template
