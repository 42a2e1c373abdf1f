"""Every word of the registration pages, in bokmål (the default), nynorsk and English.

Templates read them as `t.key`; a key missing in one language fails the page (StrictUndefined) and the
unit test that compares the three catalogues.
"""

from __future__ import annotations

from typing import Any

from shared.vocabulary import DAYPART_NAMES, TOPIC_NAMES, WEEKDAY_NAMES, as_labels

NB: dict[str, Any] = {
    "site_name": "Selvhjelpsgrupper",
    "footer": "Gratis · lukkede grupper · taushetsplikt",
    # --- the form page ---
    "form_title": "Meld deg på en selvhjelpsgruppe",
    "form_lead": (
        "Har du noe vanskelig i livet som du vil jobbe med sammen med andre som kjenner seg igjen? "
        "Meld deg på her, så finner vi en gruppe for deg."
    ),
    "about_title": "Hva er en selvhjelpsgruppe?",
    "about_text": (
        "En selvhjelpsgruppe er 4–8 voksne som møtes fast for å jobbe med noe som er vanskelig i livet, "
        "sammen med andre som kjenner seg igjen. Dere deler erfaringer og støtter hverandre. "
        "Det er gratis å være med."
    ),
    "frame_title": "Slik fungerer en gruppe",
    "frame": [
        "Gruppen har 4–8 deltakere.",
        "Ingen leder: dere har ansvaret sammen. En igangsetter er med på de første møtene for å hjelpe "
        "dere i gang, og går så ut.",
        "Gruppen er lukket: ingen nye kommer inn uten at gruppen selv bestemmer det.",
        "Taushetsplikt: det som blir sagt i gruppen, blir i gruppen. Alle skriver under på en "
        "taushetserklæring før første møte.",
        "Dere møtes fast én gang i uka, i to timer, på en fast dag og et fast tidspunkt.",
        "Du må være 18 år eller eldre.",
    ],
    "next_title": "Hva skjer etter at du har meldt deg på?",
    "next": [
        "Du får en privat lenke der du kan se statusen din, endre tidene og trekke deg.",
        "Vi setter sammen en gruppe med folk som bor i nærheten av deg (eller møtes digitalt), og som kan "
        "på de samme tidene.",
        "Når gruppen er klar, får du beskjed om dag, tid, sted og igangsetter, og svarer om du blir med.",
        "Det kan ta litt tid før det er nok folk til en gruppe der du bor.",
    ],
    "privacy_title": "Opplysningene dine",
    "privacy_text": (
        "Vi spør bare om det vi trenger for å sette sammen en god gruppe. Hva du ønsker å jobbe med, er en "
        "helseopplysning: bare de som setter sammen grupper, ser det. Du kan trekke deg og be om å få "
        "opplysningene slettet når som helst. De slettes også hvis du ikke har fått en gruppe innen "
        "{months} måneder."
    ),
    "section_you": "Om deg",
    "section_group": "Gruppen",
    "section_consent": "Samtykke",
    "name": "Navn",
    "name_hint": "Det du vil bli kalt i gruppen.",
    "contact": "Hvordan kan vi nå deg?",
    "contact_hint": "Fyll inn e-post, mobilnummer eller begge.",
    "email": "E-post",
    "mobile": "Mobilnummer",
    "mobile_hint": "Norsk nummer, 8 siffer.",
    "birth_date": "Fødselsdato",
    "birth_date_hint": "Dag, måned og år, for eksempel 27.03.1985. Du må være 18 år eller eldre.",
    "gender": "Kjønn",
    "gender_hint": "Vi prøver å sette sammen grupper med både kvinner og menn.",
    "genders": {"female": "Kvinne", "male": "Mann", "other": "Annet", "unspecified": "Vil ikke oppgi"},
    "municipality": "Kommunen du bor i",
    "municipality_hint": "Så vi finner en gruppe du kan nå.",
    "municipality_choose": "Velg kommune",
    "topic": "Hva ønsker du å jobbe med?",
    "topic_hint": "Dette er en helseopplysning. Bare de som setter sammen grupper, ser det.",
    "topic_choose": "Velg tema",
    "topics": TOPIC_NAMES["nb"],
    "topic_text": "Vil du si litt mer? (valgfritt)",
    "topic_text_hint": "Høyst 1000 tegn.",
    "composition": "Hvem vil du være i gruppe med?",
    "compositions": {
        "same_topic": "Folk som jobber med det samme som meg",
        "cross_topic": "Folk som jobber med ulike ting (på tvers)",
        "any": "Begge deler passer",
    },
    "format": "Hvordan vil du møtes?",
    "formats": {
        "in_person": "Fysisk, på et møtested i nærheten",
        "digital": "Digitalt, på video",
        "any": "Begge deler passer",
    },
    "availability": "Når kan du møtes?",
    "availability_hint": (
        "Kryss av for alle tidene som passer fast hver uke. Jo flere, jo raskere finner vi en gruppe."
    ),
    "day": "Dag",
    "dayparts": DAYPART_NAMES["nb"],
    "weekdays": as_labels(WEEKDAY_NAMES["nb"]),
    "single_gender": "Jeg ønsker en gruppe med bare mitt eget kjønn",
    "single_gender_hint": "Noen temaer passer best slik.",
    "language": "Språk i meldinger til deg",
    "consent": (
        "Jeg samtykker til at opplysningene mine, også hva jeg ønsker å jobbe med, brukes til å finne en "
        "selvhjelpsgruppe til meg. Jeg kan trekke samtykket når som helst."
    ),
    "submit": "Meld meg på",
    "error_summary_title": "Noe må rettes før du kan melde deg på",
    "errors": {
        "form": "Skjemaet kunne ikke leses. Prøv igjen.",
        "rate_limited": "Det har kommet for mange påmeldinger herfra eller med denne kontaktinformasjonen "
        "på kort tid. Prøv igjen om {minutes} minutter.",
        "name": "Skriv navnet ditt.",
        "contact": "Skriv e-postadresse eller mobilnummer (eller begge).",
        "email": "Skriv en gyldig e-postadresse, for eksempel navn@eksempel.no.",
        "mobile": "Skriv et norsk mobilnummer: 8 siffer som begynner med 4 eller 9.",
        "birth_date": "Skriv fødselsdatoen din som dag.måned.år, for eksempel 27.03.1985.",
        "birth_date.too_young": "Du må være 18 år eller eldre for å melde deg på en selvhjelpsgruppe.",
        "birth_date.future": "Fødselsdatoen kan ikke være fram i tid.",
        "gender": "Velg kjønn.",
        "municipality": "Velg kommunen du bor i.",
        "topic": "Velg hva du ønsker å jobbe med.",
        "topic_text": "Teksten kan være høyst 1000 tegn.",
        "composition": "Velg hvem du vil være i gruppe med.",
        "format": "Velg hvordan du vil møtes.",
        "availability": "Kryss av for minst én tid som passer.",
        "single_gender": "Velg om du ønsker en gruppe med bare ditt eget kjønn.",
        "language": "Velg språk.",
        "consent": "Du må samtykke for å kunne melde deg på.",
        "characters": "Teksten inneholder tegn vi ikke kan lagre.",
    },
    # --- the status page ---
    "status_title": "Påmeldingen din",
    "status_private": (
        "Ta vare på lenken til denne siden, og ikke del den: alle som har den, kan se og endre påmeldingen din."
    ),
    "status": "Status",
    "statuses": {
        "waiting": "Venter på en gruppe",
        "placed": "Har fått plass i en gruppe",
        "withdrawn": "Trukket",
        "left": "Har gått ut av gruppen",
        "ended": "Gruppen er avsluttet",
    },
    "status_texts": {
        "waiting": "Vi leter etter en gruppe som passer for deg. Du får beskjed når gruppen er klar.",
        "placed": "Du har fått plass i en gruppe. Tid og sted står i meldingen du fikk.",
        "withdrawn": (
            "Du har trukket deg og venter ikke lenger på en gruppe. Du kan fortsatt slette opplysningene dine."
        ),
        "left": "Du har gått ut av gruppen din og venter ikke på en ny. Takk for at du var med.",
        "ended": "Gruppen din er avsluttet. Takk for at du var med.",
    },
    "register_again": "Vil du være med i en ny gruppe? Meld deg på igjen",
    "registered_at": "Meldt på",
    "municipality_short": "Kommune",
    "availability_short": "Tider som passer",
    "done": {
        "registered": "Takk! Du er meldt på.",
        "availability": "Tidene dine er lagret.",
        "withdrawn": "Du har trukket deg.",
        "corrected": "Endringene er lagret.",
    },
    "correct_title": "Endre påmeldingen",
    "correct_intro": "Har du flyttet, vil du jobbe med noe annet, eller har du fått ny e-post eller nytt "
    "mobilnummer? Du kan endre påmeldingen så lenge du venter på en gruppe.",
    "correct_link": "Endre kommune, tema, ønsker for gruppen, språk eller kontaktinformasjon",
    "correct_save": "Lagre endringene",
    "correct_invited": "Du er invitert til en gruppe. Svar på invitasjonen først: sier du nei, venter du igjen "
    "og kan endre påmeldingen. Navn, kontaktinformasjon og språk kan du endre nå.",
    "correct_locked": "Påmeldingen kan bare endres mens du venter på en gruppe. Har du fått plass, står tid og "
    "sted fast.",
    "change_title": "Endre når du kan møtes",
    "save": "Lagre tidene",
    "change_locked": "Tidene kan bare endres mens du venter på en gruppe.",
    "withdraw_title": "Trekk deg",
    "withdraw_text": (
        "Du kan trekke deg når som helst. Da venter du ikke lenger på en gruppe, og du går ut av en gruppe "
        "som ikke har startet ennå."
    ),
    "withdraw_button": "Trekk meg",
    "withdraw_confirm_title": "Vil du trekke deg?",
    "withdraw_confirm_button": "Ja, trekk meg",
    "erase_title": "Slett opplysningene mine",
    "erase_text": (
        "Vi sletter alt vi har om deg: påmeldingen, kontaktopplysningene og hva du ønsket å jobbe med, også "
        "i gruppe-, kalender- og meldingstjenestene. Er du med i en gruppe, går du ut av den."
    ),
    "erase_button": "Slett opplysningene mine",
    "erase_confirm_title": "Vil du slette alle opplysningene dine?",
    "erase_confirm_warning": (
        "Dette kan ikke angres. Lenken slutter å virke, og vil du være med senere, må du melde deg på igjen."
    ),
    "erase_confirm_button": "Ja, slett alt",
    "cancel": "Nei, gå tilbake",
    "erased_title": "Opplysningene dine er slettet",
    "erased_text": (
        "Vi har slettet påmeldingen din og bedt de andre tjenestene slette det de har om deg. "
        "Du er velkommen til å melde deg på igjen senere."
    ),
    "back_to_form": "Til påmeldingen",
    "not_found_title": "Lenken virker ikke",
    "not_found_text": "Lenken kan være feil eller utløpt, eller påmeldingen kan være slettet.",
    "long_date": "{day}. {month} {year}",
    "months": [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ],  # fmt: skip
}

NN: dict[str, Any] = {
    "site_name": "Sjølvhjelpsgrupper",
    "footer": "Gratis · lukka grupper · teieplikt",
    "form_title": "Meld deg på ei sjølvhjelpsgruppe",
    "form_lead": (
        "Har du noko vanskeleg i livet som du vil arbeide med saman med andre som kjenner seg att? "
        "Meld deg på her, så finn vi ei gruppe for deg."
    ),
    "about_title": "Kva er ei sjølvhjelpsgruppe?",
    "about_text": (
        "Ei sjølvhjelpsgruppe er 4–8 vaksne som møtest fast for å arbeide med noko som er vanskeleg i livet, "
        "saman med andre som kjenner seg att. De deler erfaringar og støttar kvarandre. "
        "Det er gratis å vere med."
    ),
    "frame_title": "Slik fungerer ei gruppe",
    "frame": [
        "Gruppa har 4–8 deltakarar.",
        "Ingen leiar: de har ansvaret saman. Ein igangsetjar er med på dei første møta for å hjelpe dykk "
        "i gang, og går så ut.",
        "Gruppa er lukka: ingen nye kjem inn utan at gruppa sjølv bestemmer det.",
        "Teieplikt: det som blir sagt i gruppa, blir i gruppa. Alle skriv under på ei teieerklæring før "
        "første møtet.",
        "De møtest fast éin gong i veka, i to timar, på ein fast dag og eit fast tidspunkt.",
        "Du må vere 18 år eller eldre.",
    ],
    "next_title": "Kva skjer etter at du har meldt deg på?",
    "next": [
        "Du får ei privat lenkje der du kan sjå statusen din, endre tidene og trekkje deg.",
        "Vi set saman ei gruppe med folk som bur i nærleiken av deg (eller møtest digitalt), og som kan "
        "på dei same tidene.",
        "Når gruppa er klar, får du melding om dag, tid, stad og igangsetjar, og svarar om du blir med.",
        "Det kan ta litt tid før det er nok folk til ei gruppe der du bur.",
    ],
    "privacy_title": "Opplysningane dine",
    "privacy_text": (
        "Vi spør berre om det vi treng for å setje saman ei god gruppe. Kva du ønskjer å arbeide med, er ei "
        "helseopplysning: berre dei som set saman grupper, ser det. Du kan trekkje deg og be om å få "
        "opplysningane sletta når som helst. Dei blir òg sletta om du ikkje har fått ei gruppe innan "
        "{months} månader."
    ),
    "section_you": "Om deg",
    "section_group": "Gruppa",
    "section_consent": "Samtykke",
    "name": "Namn",
    "name_hint": "Det du vil bli kalla i gruppa.",
    "contact": "Korleis kan vi nå deg?",
    "contact_hint": "Fyll inn e-post, mobilnummer eller begge.",
    "email": "E-post",
    "mobile": "Mobilnummer",
    "mobile_hint": "Norsk nummer, 8 siffer.",
    "birth_date": "Fødselsdato",
    "birth_date_hint": "Dag, månad og år, til dømes 27.03.1985. Du må vere 18 år eller eldre.",
    "gender": "Kjønn",
    "gender_hint": "Vi prøver å setje saman grupper med både kvinner og menn.",
    "genders": {"female": "Kvinne", "male": "Mann", "other": "Anna", "unspecified": "Vil ikkje oppgi"},
    "municipality": "Kommunen du bur i",
    "municipality_hint": "Så vi finn ei gruppe du kan nå.",
    "municipality_choose": "Vel kommune",
    "topic": "Kva ønskjer du å arbeide med?",
    "topic_hint": "Dette er ei helseopplysning. Berre dei som set saman grupper, ser det.",
    "topic_choose": "Vel tema",
    "topics": TOPIC_NAMES["nn"],
    "topic_text": "Vil du seie litt meir? (valfritt)",
    "topic_text_hint": "Høgst 1000 teikn.",
    "composition": "Kven vil du vere i gruppe med?",
    "compositions": {
        "same_topic": "Folk som arbeider med det same som meg",
        "cross_topic": "Folk som arbeider med ulike ting (på tvers)",
        "any": "Begge delar passar",
    },
    "format": "Korleis vil du møtast?",
    "formats": {
        "in_person": "Fysisk, på ein møtestad i nærleiken",
        "digital": "Digitalt, på video",
        "any": "Begge delar passar",
    },
    "availability": "Når kan du møtast?",
    "availability_hint": (
        "Kryss av for alle tidene som passar fast kvar veke. Jo fleire, jo raskare finn vi ei gruppe."
    ),
    "day": "Dag",
    "dayparts": DAYPART_NAMES["nn"],
    "weekdays": as_labels(WEEKDAY_NAMES["nn"]),
    "single_gender": "Eg ønskjer ei gruppe med berre mitt eige kjønn",
    "single_gender_hint": "Nokre tema passar best slik.",
    "language": "Språk i meldingar til deg",
    "consent": (
        "Eg samtykkjer til at opplysningane mine, òg kva eg ønskjer å arbeide med, blir brukte til å finne "
        "ei sjølvhjelpsgruppe til meg. Eg kan trekkje samtykket når som helst."
    ),
    "submit": "Meld meg på",
    "error_summary_title": "Noko må rettast før du kan melde deg på",
    "errors": {
        "form": "Skjemaet kunne ikkje lesast. Prøv igjen.",
        "rate_limited": "Det har kome for mange påmeldingar herifrå eller med denne kontaktinformasjonen "
        "på kort tid. Prøv igjen om {minutes} minutt.",
        "name": "Skriv namnet ditt.",
        "contact": "Skriv e-postadresse eller mobilnummer (eller begge).",
        "email": "Skriv ei gyldig e-postadresse, til dømes namn@døme.no.",
        "mobile": "Skriv eit norsk mobilnummer: 8 siffer som byrjar med 4 eller 9.",
        "birth_date": "Skriv fødselsdatoen din som dag.månad.år, til dømes 27.03.1985.",
        "birth_date.too_young": "Du må vere 18 år eller eldre for å melde deg på ei sjølvhjelpsgruppe.",
        "birth_date.future": "Fødselsdatoen kan ikkje vere fram i tid.",
        "gender": "Vel kjønn.",
        "municipality": "Vel kommunen du bur i.",
        "topic": "Vel kva du ønskjer å arbeide med.",
        "topic_text": "Teksten kan vere høgst 1000 teikn.",
        "composition": "Vel kven du vil vere i gruppe med.",
        "format": "Vel korleis du vil møtast.",
        "availability": "Kryss av for minst éi tid som passar.",
        "single_gender": "Vel om du ønskjer ei gruppe med berre ditt eige kjønn.",
        "language": "Vel språk.",
        "consent": "Du må samtykkje for å kunne melde deg på.",
        "characters": "Teksten inneheld teikn vi ikkje kan lagre.",
    },
    "status_title": "Påmeldinga di",
    "status_private": (
        "Ta vare på lenkja til denne sida, og ikkje del ho: alle som har ho, kan sjå og endre påmeldinga di."
    ),
    "status": "Status",
    "statuses": {
        "waiting": "Ventar på ei gruppe",
        "placed": "Har fått plass i ei gruppe",
        "withdrawn": "Trekt",
        "left": "Har gått ut av gruppa",
        "ended": "Gruppa er avslutta",
    },
    "status_texts": {
        "waiting": "Vi leitar etter ei gruppe som passar for deg. Du får melding når gruppa er klar.",
        "placed": "Du har fått plass i ei gruppe. Tid og stad står i meldinga du fekk.",
        "withdrawn": (
            "Du har trekt deg og ventar ikkje lenger på ei gruppe. Du kan framleis slette opplysningane dine."
        ),
        "left": "Du har gått ut av gruppa di og ventar ikkje på ei ny. Takk for at du var med.",
        "ended": "Gruppa di er avslutta. Takk for at du var med.",
    },
    "register_again": "Vil du vere med i ei ny gruppe? Meld deg på igjen",
    "registered_at": "Meldt på",
    "municipality_short": "Kommune",
    "availability_short": "Tider som passar",
    "done": {
        "registered": "Takk! Du er meldt på.",
        "availability": "Tidene dine er lagra.",
        "withdrawn": "Du har trekt deg.",
        "corrected": "Endringane er lagra.",
    },
    "correct_title": "Endre påmeldinga",
    "correct_intro": "Har du flytta, vil du arbeide med noko anna, eller har du fått ny e-post eller nytt "
    "mobilnummer? Du kan endre påmeldinga så lenge du ventar på ei gruppe.",
    "correct_link": "Endre kommune, tema, ønske for gruppa, språk eller kontaktinformasjon",
    "correct_save": "Lagre endringane",
    "correct_invited": "Du er invitert til ei gruppe. Svar på invitasjonen først: seier du nei, ventar du igjen "
    "og kan endre påmeldinga. Namn, kontaktinformasjon og språk kan du endre no.",
    "correct_locked": "Påmeldinga kan berre endrast medan du ventar på ei gruppe. Har du fått plass, ligg tid "
    "og stad fast.",
    "change_title": "Endre når du kan møtast",
    "save": "Lagre tidene",
    "change_locked": "Tidene kan berre endrast medan du ventar på ei gruppe.",
    "withdraw_title": "Trekk deg",
    "withdraw_text": (
        "Du kan trekkje deg når som helst. Då ventar du ikkje lenger på ei gruppe, og du går ut av ei gruppe "
        "som ikkje har starta enno."
    ),
    "withdraw_button": "Trekk meg",
    "withdraw_confirm_title": "Vil du trekkje deg?",
    "withdraw_confirm_button": "Ja, trekk meg",
    "erase_title": "Slett opplysningane mine",
    "erase_text": (
        "Vi slettar alt vi har om deg: påmeldinga, kontaktopplysningane og kva du ønskte å arbeide med, òg "
        "i gruppe-, kalender- og meldingstenestene. Er du med i ei gruppe, går du ut av ho."
    ),
    "erase_button": "Slett opplysningane mine",
    "erase_confirm_title": "Vil du slette alle opplysningane dine?",
    "erase_confirm_warning": (
        "Dette kan ikkje angrast. Lenkja sluttar å verke, og vil du vere med seinare, må du melde deg på igjen."
    ),
    "erase_confirm_button": "Ja, slett alt",
    "cancel": "Nei, gå tilbake",
    "erased_title": "Opplysningane dine er sletta",
    "erased_text": (
        "Vi har sletta påmeldinga di og bede dei andre tenestene slette det dei har om deg. "
        "Du er velkomen til å melde deg på igjen seinare."
    ),
    "back_to_form": "Til påmeldinga",
    "not_found_title": "Lenkja verkar ikkje",
    "not_found_text": "Lenkja kan vere feil eller gått ut, eller påmeldinga kan vere sletta.",
    "long_date": "{day}. {month} {year}",
    "months": [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ],  # fmt: skip
}

EN: dict[str, Any] = {
    "site_name": "Self-help groups",
    "footer": "Free · closed groups · confidentiality",
    "form_title": "Join a self-help group",
    "form_lead": (
        "Is there something difficult in your life that you want to work on together with others who "
        "recognise it? Sign up here and we will find a group for you."
    ),
    "about_title": "What is a self-help group?",
    "about_text": (
        "A self-help group is 4–8 adults who meet regularly to work on something difficult in life, together "
        "with others who recognise it. You share experiences and support each other. Taking part is free."
    ),
    "frame_title": "How a group works",
    "frame": [
        "A group has 4–8 members.",
        "No leader: you share the responsibility. A starter joins the first meetings to help you get going, "
        "then leaves the group to itself.",
        "The group is closed: nobody new joins unless the group itself decides so.",
        "Confidentiality: what is said in the group stays in the group. Everyone signs a confidentiality "
        "agreement before the first meeting.",
        "You meet once a week for two hours, on a fixed day and at a fixed time.",
        "You must be 18 or older.",
    ],
    "next_title": "What happens after you sign up?",
    "next": [
        "You get a private link where you can see your status, change your times and withdraw.",
        "We put together a group of people who live near you (or meet online) and can meet at the same times.",
        "When the group is ready, you are told the day, time, place and starter, and answer whether you join.",
        "It may take a while until there are enough people for a group where you live.",
    ],
    "privacy_title": "Your data",
    "privacy_text": (
        "We only ask for what we need to form a good group. What you want to work on is health data: only the "
        "people who form groups can see it. You can withdraw and ask for your data to be erased at any time. "
        "It is also erased if you have not got a group within {months} months."
    ),
    "section_you": "About you",
    "section_group": "The group",
    "section_consent": "Consent",
    "name": "Name",
    "name_hint": "What you want to be called in the group.",
    "contact": "How can we reach you?",
    "contact_hint": "Give an e-mail address, a mobile number or both.",
    "email": "E-mail",
    "mobile": "Mobile number",
    "mobile_hint": "Norwegian number, 8 digits.",
    "birth_date": "Date of birth",
    "birth_date_hint": "Day, month and year, for example 27.03.1985. You must be 18 or older.",
    "gender": "Gender",
    "gender_hint": "We try to form groups with both women and men.",
    "genders": {"female": "Woman", "male": "Man", "other": "Other", "unspecified": "Prefer not to say"},
    "municipality": "Municipality you live in",
    "municipality_hint": "So we find a group you can reach.",
    "municipality_choose": "Choose a municipality",
    "topic": "What do you want to work on?",
    "topic_hint": "This is health data. Only the people who form groups see it.",
    "topic_choose": "Choose a topic",
    # The English form names the Norwegian word too: "relatives" alone does not say "pårørende".
    "topics": {**TOPIC_NAMES["en"], "relatives": "Relatives (pårørende)"},
    "topic_text": "Anything you want to add? (optional)",
    "topic_text_hint": "At most 1000 characters.",
    "composition": "Who would you like to be in a group with?",
    "compositions": {
        "same_topic": "People working on the same as me",
        "cross_topic": "People working on different things (across topics)",
        "any": "Either is fine",
    },
    "format": "How would you like to meet?",
    "formats": {
        "in_person": "In person, at a venue nearby",
        "digital": "Online, by video",
        "any": "Either is fine",
    },
    "availability": "When can you meet?",
    "availability_hint": (
        "Tick every time that suits you each week. The more you tick, the sooner we find a group."
    ),
    "day": "Day",
    "dayparts": DAYPART_NAMES["en"],
    "weekdays": as_labels(WEEKDAY_NAMES["en"]),
    "single_gender": "I would like a group of my own gender only",
    "single_gender_hint": "Some topics suit this best.",
    "language": "Language of messages to you",
    "consent": (
        "I agree that my data, including what I want to work on, is used to find a self-help group for me. "
        "I can withdraw my consent at any time."
    ),
    "submit": "Sign me up",
    "error_summary_title": "Something needs fixing before you can sign up",
    "errors": {
        "form": "The form could not be read. Please try again.",
        "rate_limited": "Too many registrations have come from here or with these contact details in a short "
        "time. Please try again in {minutes} minutes.",
        "name": "Enter your name.",
        "contact": "Enter an e-mail address or a mobile number (or both).",
        "email": "Enter a valid e-mail address, like name@example.com.",
        "mobile": "Enter a Norwegian mobile number: 8 digits starting with 4 or 9.",
        "birth_date": "Enter your date of birth as day.month.year, for example 27.03.1985.",
        "birth_date.too_young": "You must be 18 or older to join a self-help group.",
        "birth_date.future": "The date of birth cannot be in the future.",
        "gender": "Choose a gender.",
        "municipality": "Choose the municipality you live in.",
        "topic": "Choose what you want to work on.",
        "topic_text": "The text can be at most 1000 characters.",
        "composition": "Choose who you would like to be in a group with.",
        "format": "Choose how you would like to meet.",
        "availability": "Tick at least one time that suits you.",
        "single_gender": "Choose whether you want a group of your own gender only.",
        "language": "Choose a language.",
        "consent": "You must agree to be able to sign up.",
        "characters": "The text contains characters we cannot store.",
    },
    "status_title": "Your registration",
    "status_private": (
        "Keep the link to this page and do not share it: anyone who has it can see and change your registration."
    ),
    "status": "Status",
    "statuses": {
        "waiting": "Waiting for a group",
        "placed": "Has a place in a group",
        "withdrawn": "Withdrawn",
        "left": "Has left the group",
        "ended": "The group has ended",
    },
    "status_texts": {
        "waiting": "We are looking for a group that suits you. You will be told when the group is ready.",
        "placed": "You have a place in a group. The time and place are in the message you got.",
        "withdrawn": "You have withdrawn and are no longer waiting for a group. You can still erase your data.",
        "left": "You have left your group and are not waiting for a new one. Thank you for taking part.",
        "ended": "Your group has ended. Thank you for taking part.",
    },
    "register_again": "Would you like to join a new group? Register again",
    "registered_at": "Signed up",
    "municipality_short": "Municipality",
    "availability_short": "Times that suit you",
    "done": {
        "registered": "Thank you! You are signed up.",
        "availability": "Your times are saved.",
        "withdrawn": "You have withdrawn.",
        "corrected": "Your changes are saved.",
    },
    "correct_title": "Change your registration",
    "correct_intro": "Have you moved, do you want to work on something else, or do you have a new e-mail "
    "address or mobile number? You can change your registration while you are waiting for a group.",
    "correct_link": "Change municipality, topic, group wishes, language or contact details",
    "correct_save": "Save the changes",
    "correct_invited": "You are invited to a group. Answer the invitation first: if you decline, you are "
    "waiting again and can change your registration. Your name, contact details and language you can "
    "change now.",
    "correct_locked": "Your registration can only be changed while you are waiting for a group. Once you "
    "have a place, the time and place are set.",
    "change_title": "Change when you can meet",
    "save": "Save times",
    "change_locked": "Times can only be changed while you are waiting for a group.",
    "withdraw_title": "Withdraw",
    "withdraw_text": (
        "You can withdraw at any time. You will no longer be waiting for a group, and you leave a group that "
        "has not started yet."
    ),
    "withdraw_button": "Withdraw me",
    "withdraw_confirm_title": "Do you want to withdraw?",
    "withdraw_confirm_button": "Yes, withdraw me",
    "erase_title": "Erase my data",
    "erase_text": (
        "We erase everything we hold about you: your registration, your contact details and what you wanted "
        "to work on, also in the group, calendar and message services. If you are in a group, you leave it."
    ),
    "erase_button": "Erase my data",
    "erase_confirm_title": "Do you want to erase all your data?",
    "erase_confirm_warning": (
        "This cannot be undone. The link stops working, and if you want to join later, you must sign up again."
    ),
    "erase_confirm_button": "Yes, erase everything",
    "cancel": "No, go back",
    "erased_title": "Your data has been erased",
    "erased_text": (
        "We have erased your registration and asked the other services to erase what they hold about you. "
        "You are welcome to sign up again later."
    ),
    "back_to_form": "To the sign-up form",
    "not_found_title": "This link does not work",
    "not_found_text": "The link may be wrong or expired, or the registration may have been erased.",
    "long_date": "{day} {month} {year}",
    "months": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],  # fmt: skip
}

TEXTS: dict[str, dict[str, Any]] = {"nb": NB, "nn": NN, "en": EN}


def error_message(texts: dict[str, Any], field: str, code: str = "invalid") -> str:
    errors = texts["errors"]
    if f"{field}.{code}" in errors:
        return errors[f"{field}.{code}"]
    if code == "characters":
        return errors["characters"]
    return errors.get(field, errors["form"])


def long_date(texts: dict[str, Any], day) -> str:
    return texts["long_date"].format(day=day.day, month=texts["months"][day.month - 1], year=day.year)
