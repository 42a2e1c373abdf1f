"""Words of the member's newcomers page (ask for newcomers, vote on candidates) in bokmål, nynorsk and
English. Errors are by code (commands/newcomers.py's NewcomerError)."""

from __future__ import annotations

NEWCOMER_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Nye deltakere i gruppen",
        "closed_text": "Gruppen er lukket: nye deltakere kommer bare inn når dere bestemmer det. Hver ny "
        "deltaker betyr at fellesskapet må bygges på nytt, så snakk gjerne om det på et møte først.",
        "members": "Dere er {members} i gruppen nå. En gruppe har plass til {max_size}.",
        "ask_heading": "Be om nye deltakere",
        "ask_text": "Systemet foreslår personer fra ventelisten som passer med gruppen (de som har ventet "
        "lengst først), og dere stemmer over hver av dem.",
        "wanted_label": "Hvor mange nye deltakere ønsker dere?",
        "wanted_hint": "Fra 1 til {places}.",
        "ask": "Be om forslag",
        "full": "Gruppen er full, så den kan ikke ta inn flere.",
        "vote_heading": "Stem over forslagene",
        "vote_text": "Gruppen ønsker {wanted} ny(e) deltaker(e). Svar ja eller nei for hver person innen "
        "{vote_by}. Da avgjøres det av dem som har stemt: den som får flest ja, blir invitert.",
        "vote_privacy": "Av hensyn til personvernet ser dere bare aldersgruppe og kjønn. Alle forslagene "
        "passer med gruppens tema, sted og tid.",
        "candidate": "Forslag {position}",
        "age_band": "Alder {band}",
        "yes": "Ja",
        "no": "Nei",
        "vote": "Send stemmen",
        "your_vote": "Du har stemt. Du kan endre stemmen til fristen.",
        "voted": "Takk, stemmen din er registrert.",
        "asked": "Forslagene er sendt til alle i gruppen. Stem under.",
        "inviting": "Gruppen har bestemt seg. De som fikk ja, er invitert og blir med fra neste møte når de "
        "har takket ja.",
        "filled": "De nye deltakerne har takket ja og er med fra neste møte.",
        "no_candidates": "Akkurat nå er det ingen på ventelisten som passer med gruppen. Dere kan prøve igjen "
        "senere.",
        "refused": "Ingen av forslagene fikk flertall. Dere kan be om nye forslag.",
        "unfilled": "Ingen flere av dem som fikk ja, kunne bli med. Dere kan be om nye forslag.",
        "error_title": "Det gikk ikke",
        "error_not_member": "Denne lenken gjelder ikke et medlem av en gruppe som er i gang.",
        "error_not_running": "Bare en gruppe som er i gang, kan be om nye deltakere.",
        "error_wanted_out_of_range": "Velg et antall fra 1 til {places}.",
        "error_no_vote": "Det er ingen åpen avstemning om nye deltakere i gruppen din.",
        "error_vote_each": "Svar ja eller nei for hvert forslag.",
        "gender_female": "kvinne",
        "gender_male": "mann",
        "gender_other": "annet",
        "gender_unspecified": "ikke oppgitt",
    },
    "nn": {
        "title": "Nye deltakarar i gruppa",
        "closed_text": "Gruppa er lukka: nye deltakarar kjem berre inn når de bestemmer det. Kvar ny deltakar "
        "tyder at fellesskapet må byggjast på nytt, så snakk gjerne om det på eit møte først.",
        "members": "De er {members} i gruppa no. Ei gruppe har plass til {max_size}.",
        "ask_heading": "Be om nye deltakarar",
        "ask_text": "Systemet føreslår personar frå ventelista som passar med gruppa (dei som har venta "
        "lengst først), og de røystar over kvar av dei.",
        "wanted_label": "Kor mange nye deltakarar ønskjer de?",
        "wanted_hint": "Frå 1 til {places}.",
        "ask": "Be om forslag",
        "full": "Gruppa er full, så ho kan ikkje ta inn fleire.",
        "vote_heading": "Røyst over forslaga",
        "vote_text": "Gruppa ønskjer {wanted} ny(e) deltakar(ar). Svar ja eller nei for kvar person innan "
        "{vote_by}. Då blir det avgjort av dei som har røysta: den som får flest ja, blir invitert.",
        "vote_privacy": "Av omsyn til personvernet ser de berre aldersgruppe og kjønn. Alle forslaga passar "
        "med temaet, staden og tida til gruppa.",
        "candidate": "Forslag {position}",
        "age_band": "Alder {band}",
        "yes": "Ja",
        "no": "Nei",
        "vote": "Send røysta",
        "your_vote": "Du har røysta. Du kan endre røysta fram til fristen.",
        "voted": "Takk, røysta di er registrert.",
        "asked": "Forslaga er sende til alle i gruppa. Røyst under.",
        "inviting": "Gruppa har bestemt seg. Dei som fekk ja, er inviterte og blir med frå neste møte når "
        "dei har takka ja.",
        "filled": "Dei nye deltakarane har takka ja og er med frå neste møte.",
        "no_candidates": "Akkurat no er det ingen på ventelista som passar med gruppa. De kan prøve igjen "
        "seinare.",
        "refused": "Ingen av forslaga fekk fleirtal. De kan be om nye forslag.",
        "unfilled": "Ingen fleire av dei som fekk ja, kunne bli med. De kan be om nye forslag.",
        "error_title": "Det gjekk ikkje",
        "error_not_member": "Denne lenkja gjeld ikkje eit medlem av ei gruppe som er i gang.",
        "error_not_running": "Berre ei gruppe som er i gang, kan be om nye deltakarar.",
        "error_wanted_out_of_range": "Vel eit tal frå 1 til {places}.",
        "error_no_vote": "Det er inga open røysting om nye deltakarar i gruppa di.",
        "error_vote_each": "Svar ja eller nei for kvart forslag.",
        "gender_female": "kvinne",
        "gender_male": "mann",
        "gender_other": "anna",
        "gender_unspecified": "ikkje oppgitt",
    },
    "en": {
        "title": "New members for the group",
        "closed_text": "The group is closed: new members join only when you decide so. Each newcomer means "
        "the group has to grow together again, so talk about it at a meeting first.",
        "members": "You are {members} in the group now. A group has room for {max_size}.",
        "ask_heading": "Ask for new members",
        "ask_text": "The system proposes people from the waiting list who fit the group (those who have "
        "waited longest first), and you vote on each of them.",
        "wanted_label": "How many new members do you want?",
        "wanted_hint": "From 1 to {places}.",
        "ask": "Ask for proposals",
        "full": "The group is full, so it cannot take in more members.",
        "vote_heading": "Vote on the proposals",
        "vote_text": "The group wants {wanted} new member(s). Answer yes or no for each person by {vote_by}. "
        "It is then decided by those who voted: whoever gets a majority of yes is invited.",
        "vote_privacy": "To protect their privacy you see only an age band and gender. Every proposal fits "
        "the group's topic, place and time.",
        "candidate": "Proposal {position}",
        "age_band": "Age {band}",
        "yes": "Yes",
        "no": "No",
        "vote": "Send my vote",
        "your_vote": "You have voted. You can change your vote until the deadline.",
        "voted": "Thank you, your vote is recorded.",
        "asked": "The proposals have been sent to everyone in the group. Vote below.",
        "inviting": "The group has decided. Those who got a yes are invited and join from the next meeting "
        "once they accept.",
        "filled": "The new members have accepted and join from the next meeting.",
        "no_candidates": "Right now nobody on the waiting list fits the group. You can try again later.",
        "refused": "None of the proposals got a majority. You can ask for new proposals.",
        "unfilled": "None of the others who got a yes could join. You can ask for new proposals.",
        "error_title": "That did not work",
        "error_not_member": "This link is not for a member of a running group.",
        "error_not_running": "Only a running group can ask for new members.",
        "error_wanted_out_of_range": "Choose a number from 1 to {places}.",
        "error_no_vote": "There is no open vote on new members in your group.",
        "error_vote_each": "Answer yes or no for each proposal.",
        "gender_female": "woman",
        "gender_male": "man",
        "gender_other": "other",
        "gender_unspecified": "not given",
    },
}
