"""Public event contracts: the envelope, vocabularies and v1 event bodies."""

from .envelope import Envelope, Event, EventData
from .events import *  # noqa: F403
from .events import ALL_EVENTS
from .registration import Consent, Participant, RegistrationDetails, RegistrationSubmitted
from .vocabulary import SLOTS, Composition, Gender, Language, MeetingFormat, Source, Topic

EVENTS_BY_TYPE = {cls.EVENT_TYPE: cls for cls in (*ALL_EVENTS, RegistrationSubmitted)}

__all__ = [cls.__name__ for cls in ALL_EVENTS] + [
    "ALL_EVENTS",
    "EVENTS_BY_TYPE",
    "SLOTS",
    "Composition",
    "Consent",
    "Envelope",
    "Event",
    "EventData",
    "Gender",
    "Language",
    "MeetingFormat",
    "Participant",
    "RegistrationDetails",
    "RegistrationSubmitted",
    "Source",
    "Topic",
]
