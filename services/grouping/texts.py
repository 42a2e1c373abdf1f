"""Words of grouping's participant pages (invitation, admission vote) in bokmål, nynorsk and English."""

from __future__ import annotations

SITE_NAME = {"nb": "Selvhjelpsgrupper", "nn": "Sjølvhjelpsgrupper", "en": "Self-help groups"}

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "newcomer_lead": "Gruppen som møtes {slot}, har valgt å invitere deg inn. Den er lukket; med deg blir "
        "dere {size}. Takker du ja, er du med fra neste møte; tid og sted kommer i en egen melding.",
        "invitation_title": "Invitasjon til en selvhjelpsgruppe",
        "invitation_lead": "Du er invitert til en ny, lukket gruppe på {size} personer som møtes {slot}. "
        "Tid og sted kommer i en egen melding når møtestedet er booket.",
        "frame": "Rammene",
        "frame_items": "Gruppen har 4 til 8 deltakere og ingen leder: dere har ansvaret sammen.|"
        "Dere møtes fast hver uke i to timer. En igangsetter er med de første møtene.|"
        "Gruppen er lukket: nye deltakere kommer bare inn hvis gruppen selv bestemmer det.|"
        "Meldeplikt: si fra til gruppen hvis du ikke kan komme.",
        "principles": "Samtaleprinsipper",
        "principles_text": "Her og nå · Herfra og fremover · Snakke ut fra seg selv · Prosess · Ikke rådgiving.",
        "confidentiality": "Taushetserklæring",
        "confidentiality_text": "Det som blir sagt i gruppen, blir i gruppen. Jeg forteller ikke videre hvem som "
        "er med eller hva de har fortalt.",
        "confirm": "Jeg bekrefter taushetserklæringen",
        "accept": "Ja, jeg blir med",
        "decline": "Nei takk",
        "no_invitation": "Det er ingen åpen invitasjon på denne lenken. Den kan være besvart allerede eller utløpt.",
        "accepted": "Takk! Du er med i gruppen. Du får beskjed om tid og sted for første møte.",
        "declined": "Takk for svaret. Du står fortsatt på ventelisten med samme plass i køen.",
        "calendar": "Se møtene dine og legg dem i kalenderen",
        "error_title": "Det gikk ikke",
        "confirm_needed": "Kryss av for taushetserklæringen for å bli med.",
        "admission_title": "Skal gruppen ta inn en ny deltaker?",
        "admission_text": "Gruppen er lukket. En ny deltaker kommer bare inn hvis et flertall av dere sier ja.",
        "yes": "Ja, ta inn en ny deltaker",
        "no": "Nei",
        "voted": "Takk, stemmen din er registrert.",
    },
    "nn": {
        "newcomer_lead": "Gruppa som møtest {slot}, har valt å invitere deg inn. Ho er lukka; med deg blir "
        "de {size}. Takkar du ja, er du med frå neste møte; tid og stad kjem i ei eiga melding.",
        "invitation_title": "Invitasjon til ei sjølvhjelpsgruppe",
        "invitation_lead": "Du er invitert til ei ny, lukka gruppe på {size} personar som møtest {slot}. "
        "Tid og stad kjem i ei eiga melding når møtestaden er booka.",
        "frame": "Rammene",
        "frame_items": "Gruppa har 4 til 8 deltakarar og ingen leiar: de har ansvaret saman.|"
        "De møtest fast kvar veke i to timar. Ein igangsetjar er med dei første møta.|"
        "Gruppa er lukka: nye deltakarar kjem berre inn om gruppa sjølv bestemmer det.|"
        "Meldeplikt: sei frå til gruppa om du ikkje kan kome.",
        "principles": "Samtaleprinsipp",
        "principles_text": "Her og no · Herifrå og framover · Snakke ut frå seg sjølv · Prosess · Ikkje rådgiving.",
        "confidentiality": "Teieerklæring",
        "confidentiality_text": "Det som blir sagt i gruppa, blir i gruppa. Eg fortel ikkje vidare kven som er "
        "med eller kva dei har fortalt.",
        "confirm": "Eg stadfestar teieerklæringa",
        "accept": "Ja, eg blir med",
        "decline": "Nei takk",
        "no_invitation": "Det er inga open invitasjon på denne lenkja. Ho kan vere svara på alt eller gått ut.",
        "accepted": "Takk! Du er med i gruppa. Du får beskjed om tid og stad for første møte.",
        "declined": "Takk for svaret. Du står framleis på ventelista med same plass i køen.",
        "calendar": "Sjå møta dine og legg dei i kalenderen",
        "error_title": "Det gjekk ikkje",
        "confirm_needed": "Kryss av for teieerklæringa for å bli med.",
        "admission_title": "Skal gruppa ta inn ein ny deltakar?",
        "admission_text": "Gruppa er lukka. Ein ny deltakar kjem berre inn om eit fleirtal av dykk seier ja.",
        "yes": "Ja, ta inn ein ny deltakar",
        "no": "Nei",
        "voted": "Takk, røysta di er registrert.",
    },
    "en": {
        "newcomer_lead": "The group that meets {slot} has chosen to invite you in. It is closed; with you it "
        "has {size} members. If you accept, you join from the next meeting; time and place follow in a "
        "separate message.",
        "invitation_title": "Invitation to a self-help group",
        "invitation_lead": "You are invited to a new, closed group of {size} people who meet {slot}. "
        "Time and place follow in a separate message once the venue is booked.",
        "frame": "The frame",
        "frame_items": "The group has 4 to 8 members and no leader: you share the responsibility.|"
        "You meet every week for two hours. A starter joins the first meetings.|"
        "The group is closed: new members join only if the group itself decides so.|"
        "Tell the group if you cannot come.",
        "principles": "Principles of the conversation",
        "principles_text": "Here and now · From here on · Speak for yourself · Process · No advice-giving.",
        "confidentiality": "Confidentiality agreement",
        "confidentiality_text": "What is said in the group stays in the group. I do not tell anyone who is in "
        "it or what they have shared.",
        "confirm": "I confirm the confidentiality agreement",
        "accept": "Yes, I'll join",
        "decline": "No, thank you",
        "no_invitation": "There is no open invitation on this link. It may already be answered or have expired.",
        "accepted": "Thank you! You are in the group. You will hear the time and place of the first meeting.",
        "declined": "Thank you for answering. You stay on the waiting list with the same place in the queue.",
        "calendar": "See your meetings and add them to your calendar",
        "error_title": "That did not work",
        "confirm_needed": "Tick the confidentiality agreement to join.",
        "admission_title": "Should the group take in a new member?",
        "admission_text": "The group is closed. A new member joins only if a majority of you say yes.",
        "yes": "Yes, take in a new member",
        "no": "No",
        "voted": "Thank you, your vote is recorded.",
    },
}
