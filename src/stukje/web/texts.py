"""The words on the web pages, in Dutch and English: plain language for 13- to 24-year-olds.

One flat table per language. Templates read them as ``t.key``; scripts get the same table as
JSON in the page (``<script type="application/json" id="texts">``), so the two never disagree.
tests/web checks that both languages have exactly the same keys.
"""

from __future__ import annotations

from typing import Final

__all__ = ["LANGUAGES", "TEXTS", "page_texts"]

LANGUAGES: Final = ("nl", "en")

_EN: Final = {
    "language_name": "English",
    "switch_language": "Deze pagina in het Nederlands",
    "skip": "Skip to the main content",
    "footer": "No account. No tracking. Your photos never leave your device.",
    # hashing page
    "index_title": "Stop your photo from spreading",
    "index_intro": (
        "Afraid that a nude or intimate photo of you will be shared? Make a code of it here. "
        "Your photo stays on your device: only the code is sent. Platforms that work with "
        "stukje use the code to spot the photo and stop it."
    ),
    "step_choose": "Choose the photos you want to protect.",
    "step_check": "Check the codes. Only these codes are sent, never your photos.",
    "step_send": "Send the codes and save your case number and PIN.",
    "choose_photos": "Choose photos",
    "choose_hint": "Your photos are turned into codes on this device. They are not uploaded.",
    "hashing": "Making codes…",
    "hashing_photo": "Making codes for photo {n} of {total}…",
    "hashing_done": "Codes made on this device for {n} photo(s).",
    "codes_summary": (
        "{codes} codes for {photos} photo(s), about {per} per photo: the code of each photo and "
        "of copies of it (mirrored, turned, cropped), so those are found too. Your photos "
        "themselves are never sent."
    ),
    "too_many_codes": (
        "A case holds at most {max} codes, about {photos} photos. Remove some photos, or send "
        "these first and open another case for the rest."
    ),
    "your_photos": "Your photos",
    "photo_alt": "Your photo {n} (only visible to you)",
    "code": "Code",
    "more_codes": "+ {n} more codes, so mirrored, rotated and cropped copies are found too.",
    "remove": "Remove",
    "low_quality": "This photo has few details, so the code may not work well.",
    "unreadable": (
        "This file can't be read here. Try a JPG or PNG. On an iPhone, you can take a "
        "screenshot of the photo and choose that."
    ),
    "only_codes": "Only these codes are sent",
    "only_codes_hint": "This is exactly what leaves your device:",
    "no_photos": "No photos chosen yet.",
    "send_codes": "Send the codes",
    "sending": "Sending…",
    "send_failed": "Sending didn't work. Check your internet connection and try again.",
    "done_title": "Done. Your codes are in.",
    "save_now": "Save these now. You will only see them once.",
    "case_number": "Case number",
    "pin": "PIN",
    "copy_button": "Copy",
    "copied": "Copied",
    "download": "Download as a file",
    "download_name": "stukje-case.txt",
    "download_text": (
        "stukje case\nCase number: {case}\nPIN: {pin}\n"
        "Check or stop your case on the case page of the site where you made it."
    ),
    "check_case": "Check your case",
    "what_next": (
        "With your case number and PIN you can see what platforms did with matches, "
        "or stop your case."
    ),
    "help_title": "Need to talk to someone?",
    # case page
    "case_title": "Your case",
    "case_intro": "Fill in your case number and PIN to see what happened.",
    "show_case": "Show my case",
    "status": "Status",
    "status_active": "Active: platforms are looking for your photos",
    "status_withdrawn": "Stopped: platforms no longer look for your photos",
    "signal_count": "Codes in your case",
    "match_count": "Times a platform found a match",
    "partner_actions": "What platforms did",
    "no_actions": "Nothing reported yet.",
    "action_blocked": "Stopped the photo",
    "action_not_blocked": "Did not stop it",
    "action_pending_review": "Being checked",
    "action_false_positive": "Not your photo after all",
    "withdraw": "Stop my case",
    "withdraw_confirm": (
        "If you stop your case, platforms no longer look for your photos. You can't undo this. "
        "Stop your case?"
    ),
    "withdrawn_done": "Your case is stopped.",
    "wrong_pin": "The case number or PIN is not right.",
    "too_many": "Too many tries. Wait a while and try again.",
    "lookup_failed": "That didn't work. Try again in a moment.",
    # demo chat
    "demo_title": "Demo: think before you forward",
    "demo_intro": (
        "A pretend chat that shows what stukje does inside a chat app when someone forwards a "
        "picture. Nothing here is real and the pictures are harmless drawings."
    ),
    "demo_key": "Partner key (printed by stukje serve --demo)",
    "demo_key_hint": "Kept in this tab only.",
    "demo_age": "Age group of the person forwarding",
    "age_teen": "13 to 17",
    "age_adult": "18 or older",
    "demo_switch": "Demo switch: treat pictures as intimate (they are not)",
    "demo_switch_hint": "Shows the path a nudity detector would take, with a harmless picture.",
    "chat_with": "Chat between Noor and Sam",
    "msg_1": "haha look what I got 😂",
    "msg_2": "who sent you that??",
    "msg_3": "and this one",
    "picture_alt": "A drawing of {what}",
    "picture_sunset": "a sunset over hills",
    "picture_boat": "a boat on the sea",
    "forward": "Forward",
    "forward_to_one": "Forward to one friend",
    "forward_to_group": "Forward to the class group (30 people)",
    "protect": "Protect this picture",
    "protected": "Protected: its code is in the bank now.",
    "forwarded": "You forwarded a picture.",
    "not_forwarded": "You did not forward the picture.",
    "guard_failed": "The guard did not answer. Check the partner key.",
    "close": "Close",
    "demo_need_key": "Fill in the partner key first.",
    # helpline dashboard
    "helpline_title": "Helpline dashboard",
    "helpline_key": "Helpline API key",
    "sign_in": "Sign in",
    "sign_out": "Sign out",
    "signed_in": "Signed in. The key stays in this tab only.",
    "bad_key": "This key is not valid for the helpline.",
    "overview": "Overview",
    "chart_matches": "Matches per day (last 30 days)",
    "chart_actions": "What partners did with matches",
    "chart_nudges": "After a nudge: reconsidered or sent anyway",
    "reconsidered": "Reconsidered",
    "sent_anyway": "Sent anyway",
    "reconsidered_share": "Reconsidered after a nudge: {share}",
    "no_data": "No data yet.",
    "cases": "Cases",
    "filter_status": "Show",
    "all": "All",
    "active": "Active",
    "withdrawn": "Stopped",
    "opened": "Opened",
    "opened_by": "Opened by",
    "the_person": "the person",
    "language": "Language",
    "older": "Older",
    "open": "Open",
    "case_detail": "Case",
    "notes": "Notes",
    "add_note": "Add note",
    "note_text": "New note",
    "withdraw_for": "Stop this case",
    "open_for": "Open a case on someone's behalf",
    "open_for_hint": (
        "Choose the photos with the person, on their device if you can. Only the codes are sent."
    ),
    "open_case": "Open the case",
    "give_them": "Give the person this case number and PIN. They are shown only once.",
    "review": "Review queue",
    "review_empty": "Nothing to review.",
    "distance": "Distance",
    "partner": "Partner",
    "verdicts": "Reported",
    "confirm": "Confirm",
    "false_positive": "False positive",
    "withdraw_signal": "Withdraw code",
    "audit": "Audit log",
    "when": "When",
    "who": "Who",
    "what": "What",
    "target": "Target",
    "detail": "Detail",
}

_NL: Final = {
    "language_name": "Nederlands",
    "switch_language": "This page in English",
    "skip": "Ga naar de inhoud",
    "footer": "Geen account. Geen tracking. Je foto's blijven op je apparaat.",
    "index_title": "Zorg dat je foto niet verder gaat",
    "index_intro": (
        "Ben je bang dat een naaktfoto of intieme foto van jou gedeeld wordt? Maak er hier een "
        "code van. Je foto blijft op je apparaat: alleen de code wordt verstuurd. Platforms die "
        "met stukje werken, herkennen de foto aan de code en houden hem tegen."
    ),
    "step_choose": "Kies de foto's die je wilt beschermen.",
    "step_check": "Bekijk de codes. Alleen deze codes worden verstuurd, nooit je foto's.",
    "step_send": "Verstuur de codes en bewaar je meldingsnummer en pincode.",
    "choose_photos": "Kies foto's",
    "choose_hint": "Je foto's worden op dit apparaat omgezet in codes. Ze worden niet geüpload.",
    "hashing": "Codes maken…",
    "hashing_photo": "Codes maken voor foto {n} van {total}…",
    "hashing_done": "Codes gemaakt op dit apparaat voor {n} foto('s).",
    "codes_summary": (
        "{codes} codes voor {photos} foto('s), ongeveer {per} per foto: de code van elke foto en "
        "van kopieën ervan (gespiegeld, gedraaid, bijgesneden), zodat ook die gevonden worden. "
        "Je foto's zelf worden nooit verstuurd."
    ),
    "too_many_codes": (
        "Een melding kan hooguit {max} codes bevatten, ongeveer {photos} foto's. Haal wat foto's "
        "weg, of verstuur deze eerst en maak een nieuwe melding voor de rest."
    ),
    "your_photos": "Je foto's",
    "photo_alt": "Je foto {n} (alleen jij ziet hem)",
    "code": "Code",
    "more_codes": (
        "+ {n} codes extra, zodat ook gespiegelde, gedraaide en bijgesneden kopieën "
        "gevonden worden."
    ),
    "remove": "Weghalen",
    "low_quality": "Deze foto heeft weinig details, dus de code werkt misschien minder goed.",
    "unreadable": (
        "Dit bestand kan hier niet gelezen worden. Probeer een JPG of PNG. Op een iPhone kun je "
        "een screenshot van de foto maken en die kiezen."
    ),
    "only_codes": "Alleen deze codes worden verstuurd",
    "only_codes_hint": "Dit is precies wat je apparaat verlaat:",
    "no_photos": "Nog geen foto's gekozen.",
    "send_codes": "Verstuur de codes",
    "sending": "Versturen…",
    "send_failed": "Versturen lukte niet. Check je internetverbinding en probeer het opnieuw.",
    "done_title": "Klaar. Je codes zijn binnen.",
    "save_now": "Bewaar deze gegevens nu. Je ziet ze maar één keer.",
    "case_number": "Meldingsnummer",
    "pin": "Pincode",
    "copy_button": "Kopieer",
    "copied": "Gekopieerd",
    "download": "Download als bestand",
    "download_name": "stukje-melding.txt",
    "download_text": (
        "stukje-melding\nMeldingsnummer: {case}\nPincode: {pin}\n"
        "Bekijk of stop je melding op de meldingspagina van de site waar je hem maakte."
    ),
    "check_case": "Bekijk je melding",
    "what_next": (
        "Met je meldingsnummer en pincode zie je wat platforms deden als ze je foto vonden, "
        "of stop je je melding."
    ),
    "help_title": "Wil je met iemand praten?",
    "case_title": "Je melding",
    "case_intro": "Vul je meldingsnummer en pincode in om te zien wat er is gebeurd.",
    "show_case": "Bekijk mijn melding",
    "status": "Status",
    "status_active": "Actief: platforms letten op je foto's",
    "status_withdrawn": "Gestopt: platforms letten niet meer op je foto's",
    "signal_count": "Codes in je melding",
    "match_count": "Keren dat een platform je foto vond",
    "partner_actions": "Wat platforms deden",
    "no_actions": "Nog niets gemeld.",
    "action_blocked": "Foto tegengehouden",
    "action_not_blocked": "Niet tegengehouden",
    "action_pending_review": "Wordt bekeken",
    "action_false_positive": "Toch niet jouw foto",
    "withdraw": "Stop mijn melding",
    "withdraw_confirm": (
        "Als je je melding stopt, letten platforms niet meer op je foto's. Dit kun je niet "
        "terugdraaien. Melding stoppen?"
    ),
    "withdrawn_done": "Je melding is gestopt.",
    "wrong_pin": "Het meldingsnummer of de pincode klopt niet.",
    "too_many": "Te vaak geprobeerd. Wacht even en probeer het dan opnieuw.",
    "lookup_failed": "Dat lukte niet. Probeer het zo nog eens.",
    "demo_title": "Demo: denk na voor je doorstuurt",
    "demo_intro": (
        "Een nepchat die laat zien wat stukje in een chatapp doet als iemand een foto "
        "doorstuurt. Niets hier is echt en de plaatjes zijn onschuldige tekeningen."
    ),
    "demo_key": "Partnersleutel (getoond door stukje serve --demo)",
    "demo_key_hint": "Blijft alleen in dit tabblad.",
    "demo_age": "Leeftijd van wie doorstuurt",
    "age_teen": "13 tot 17",
    "age_adult": "18 of ouder",
    "demo_switch": "Demoschakelaar: doe alsof plaatjes intiem zijn (dat zijn ze niet)",
    "demo_switch_hint": (
        "Laat zien wat er gebeurt als een naaktdetector aanslaat, met een onschuldig plaatje."
    ),
    "chat_with": "Chat tussen Noor en Sam",
    "msg_1": "haha kijk wat ik kreeg 😂",
    "msg_2": "van wie heb je dat??",
    "msg_3": "en deze",
    "picture_alt": "Een tekening van {what}",
    "picture_sunset": "een zonsondergang boven heuvels",
    "picture_boat": "een bootje op zee",
    "forward": "Doorsturen",
    "forward_to_one": "Doorsturen naar één vriend",
    "forward_to_group": "Doorsturen naar de klassengroep (30 mensen)",
    "protect": "Bescherm dit plaatje",
    "protected": "Beschermd: de code staat nu in de bank.",
    "forwarded": "Je hebt een foto doorgestuurd.",
    "not_forwarded": "Je hebt de foto niet doorgestuurd.",
    "guard_failed": "De guard gaf geen antwoord. Check de partnersleutel.",
    "close": "Sluiten",
    "demo_need_key": "Vul eerst de partnersleutel in.",
    "helpline_title": "Dashboard voor hulplijnen",
    "helpline_key": "API-sleutel van de hulplijn",
    "sign_in": "Inloggen",
    "sign_out": "Uitloggen",
    "signed_in": "Ingelogd. De sleutel blijft alleen in dit tabblad.",
    "bad_key": "Deze sleutel geldt niet voor de hulplijn.",
    "overview": "Overzicht",
    "chart_matches": "Treffers per dag (laatste 30 dagen)",
    "chart_actions": "Wat partners met treffers deden",
    "chart_nudges": "Na een waarschuwing: bedacht of toch verstuurd",
    "reconsidered": "Bedacht",
    "sent_anyway": "Toch verstuurd",
    "reconsidered_share": "Bedacht na een waarschuwing: {share}",
    "no_data": "Nog geen gegevens.",
    "cases": "Meldingen",
    "filter_status": "Toon",
    "all": "Alle",
    "active": "Actief",
    "withdrawn": "Gestopt",
    "opened": "Geopend",
    "opened_by": "Geopend door",
    "the_person": "de persoon zelf",
    "language": "Taal",
    "older": "Ouder",
    "open": "Open",
    "case_detail": "Melding",
    "notes": "Notities",
    "add_note": "Notitie toevoegen",
    "note_text": "Nieuwe notitie",
    "withdraw_for": "Stop deze melding",
    "open_for": "Een melding openen namens iemand",
    "open_for_hint": (
        "Kies de foto's samen met de persoon, het liefst op diens apparaat. Alleen de codes "
        "worden verstuurd."
    ),
    "open_case": "Melding openen",
    "give_them": (
        "Geef de persoon dit meldingsnummer en deze pincode. Ze worden maar één keer getoond."
    ),
    "review": "Te beoordelen",
    "review_empty": "Niets te beoordelen.",
    "distance": "Afstand",
    "partner": "Partner",
    "verdicts": "Gemeld",
    "confirm": "Bevestigen",
    "false_positive": "Vals alarm",
    "withdraw_signal": "Code intrekken",
    "audit": "Auditlog",
    "when": "Wanneer",
    "who": "Wie",
    "what": "Wat",
    "target": "Doel",
    "detail": "Details",
}

TEXTS: Final = {"nl": _NL, "en": _EN}


def page_texts(language: str) -> dict[str, str]:
    """The table for ``language`` (Dutch when it is not one of :data:`LANGUAGES`)."""
    return TEXTS.get(language, _NL)
