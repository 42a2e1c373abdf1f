"""Words of the member's leave page (grouping's `/leave/{token}`) in bokmål, nynorsk and English."""

from __future__ import annotations

LEAVE_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Gå ut av gruppa",
        "lead": "Du kan gå ut av selvhjelpsgruppa di når du vil. Det er helt i orden å ikke trenge gruppa lenger.",
        "what_happens": "Hva skjer når du går ut?",
        "what_items": "Du får ikke flere påminnelser, og møtene forsvinner fra kalenderen din.|"
        "De andre i gruppa får beskjed om at noen har gått ut. De får ikke vite at det er deg, "
        "med mindre du velger å si ha det med fornavnet ditt.|"
        "Taushetserklæringen gjelder fortsatt: det som ble sagt i gruppa, blir i gruppa.",
        "goodbye": "Si ha det til gruppa med fornavnet mitt",
        "goodbye_hint": "Da står fornavnet ditt i meldingen til de andre. Ellers står det bare at noen har gått ut.",
        "pool": "Jeg vil stå på ventelisten til en ny gruppe",
        "pool_hint": "Du beholder plassen din i køen fra da du meldte deg på.",
        "confirm": "Ja, jeg går ut av gruppa",
        "left": "Du har gått ut av gruppa. Takk for at du var med.",
        "left_pool": "Du står på ventelisten igjen og får beskjed når det er en ny gruppe til deg.",
        "left_no_pool": "Vil du være med i en gruppe senere, kan du melde deg på igjen.",
        "already_left": "Du er ikke lenger med i gruppa, så ingenting er endret. Du har gått ut allerede, "
        "eller gruppa er avsluttet.",
        "not_member": "Du er ikke med i noen gruppe på denne lenken.",
        "invalid": "Denne lenken virker ikke (den kan være for gammel).",
        "error_title": "Det gikk ikke",
    },
    "nn": {
        "title": "Gå ut av gruppa",
        "lead": "Du kan gå ut av sjølvhjelpsgruppa di når du vil. Det er heilt i orden å ikkje trenge gruppa lenger.",
        "what_happens": "Kva skjer når du går ut?",
        "what_items": "Du får ikkje fleire påminningar, og møta forsvinn frå kalenderen din.|"
        "Dei andre i gruppa får melding om at nokon har gått ut. Dei får ikkje vite at det er deg, "
        "med mindre du vel å seie ha det med førenamnet ditt.|"
        "Teieplikta gjeld framleis: det som vart sagt i gruppa, blir i gruppa.",
        "goodbye": "Sei ha det til gruppa med førenamnet mitt",
        "goodbye_hint": "Då står førenamnet ditt i meldinga til dei andre. Elles står det berre at nokon har gått ut.",
        "pool": "Eg vil stå på ventelista til ei ny gruppe",
        "pool_hint": "Du held på plassen din i køen frå då du melde deg på.",
        "confirm": "Ja, eg går ut av gruppa",
        "left": "Du har gått ut av gruppa. Takk for at du var med.",
        "left_pool": "Du står på ventelista igjen og får melding når det er ei ny gruppe til deg.",
        "left_no_pool": "Vil du vere med i ei gruppe seinare, kan du melde deg på igjen.",
        "already_left": "Du er ikkje lenger med i gruppa, så ingenting er endra. Du har gått ut allereie, "
        "eller gruppa er avslutta.",
        "not_member": "Du er ikkje med i noka gruppe på denne lenkja.",
        "invalid": "Denne lenkja verkar ikkje (ho kan vere for gammal).",
        "error_title": "Det gjekk ikkje",
    },
    "en": {
        "title": "Leave the group",
        "lead": "You can leave your self-help group whenever you wish. It is fine not to need the group any more.",
        "what_happens": "What happens when you leave?",
        "what_items": "You get no more reminders, and the meetings leave your calendar.|"
        "The others in the group are told that someone has left. They are not told it was you, "
        "unless you choose to say goodbye with your first name.|"
        "The confidentiality agreement still holds: what was said in the group stays in the group.",
        "goodbye": "Say goodbye to the group with my first name",
        "goodbye_hint": "Your first name is then in the message to the others. Otherwise it only says "
        "that someone has left.",
        "pool": "I want to wait for a new group",
        "pool_hint": "You keep your place in the queue from when you registered.",
        "confirm": "Yes, I am leaving the group",
        "left": "You have left the group. Thank you for taking part.",
        "left_pool": "You are on the waiting list again and will hear from us when there is a new group for you.",
        "left_no_pool": "If you would like to join a group later, you are welcome to register again.",
        "already_left": "You are no longer in the group, so nothing has changed. You have left already, "
        "or the group has ended.",
        "not_member": "You are not in a group on this link.",
        "invalid": "This link does not work (it may be too old).",
        "error_title": "That did not work",
    },
}
