"""Words of notifications' staff console page (the delivery log) in bokmål (the default), nynorsk and
English. The template reads them as `t.key`; the console's shared words are in shared.web.staff."""

from __future__ import annotations

STAFF_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "deliveries_title": "Meldinger",
        "deliveries_lead": "Utsendte meldinger i ditt distrikt: type, kanal og status. Innhold og adresser vises "
        "aldri.",
        "status": "Status",
        "type": "Type",
        "all": "Alle",
        "show": "Vis",
        "created": "Opprettet",
        "recipient": "Mottaker",
        "group": "Gruppe",
        "channel": "Kanal",
        "attempts": "Forsøk",
        "last_error": "Siste feil",
        "none": "Ingen meldinger.",
    },
    "nn": {
        "deliveries_title": "Meldingar",
        "deliveries_lead": "Utsende meldingar i distriktet ditt: type, kanal og status. Innhald og adresser blir "
        "aldri viste.",
        "status": "Status",
        "type": "Type",
        "all": "Alle",
        "show": "Vis",
        "created": "Oppretta",
        "recipient": "Mottakar",
        "group": "Gruppe",
        "channel": "Kanal",
        "attempts": "Forsøk",
        "last_error": "Siste feil",
        "none": "Ingen meldingar.",
    },
    "en": {
        "deliveries_title": "Messages",
        "deliveries_lead": "Messages sent in your district: type, channel and status. Content and addresses are "
        "never shown.",
        "status": "Status",
        "type": "Type",
        "all": "All",
        "show": "Show",
        "created": "Created",
        "recipient": "Recipient",
        "group": "Group",
        "channel": "Channel",
        "attempts": "Attempts",
        "last_error": "Last error",
        "none": "No messages.",
    },
}

STATE_NAMES: dict[str, dict[str, str]] = {
    "nb": {"queued": "I kø", "sent": "Sendt", "failed": "Feilet (trenger en person)", "expired": "For sent"},
    "nn": {"queued": "I kø", "sent": "Send", "failed": "Feila (treng ein person)", "expired": "For seint"},
    "en": {"queued": "Queued", "sent": "Sent", "failed": "Failed (needs a person)", "expired": "Too late"},
}
