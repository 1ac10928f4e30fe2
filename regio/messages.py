"""Dutch (translatable) words for the stable codes of domain errors."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from regio.errors import DomainError

MESSAGES = {
    # meetings
    "bad_time": _l("Vul een tijd in als uu:mm, bijvoorbeeld 13:30."),
    "bad_date": _l("Vul een geldige datum in."),
    "end_before_start": _l("De eindtijd moet na de begintijd liggen."),
    "end_without_start": _l("Vul eerst een begintijd in."),
    "bad_capacity": _l("Vul een aantal plaatsen in van 0 tot 100.000."),
    "capacity_below_taken": _l(
        "Er zijn al %(taken)s plaatsen bezet of vastgehouden. Kies minstens dat aantal."),
    "bad_text": _l("Gebruik alleen gewone tekens."),
    "too_long": _l("Gebruik hoogstens %(limit)s tekens."),
    "required": _l("Dit veld is verplicht."),
    "meeting_cancelled": _l("Deze bijeenkomst is geannuleerd."),
    "date_in_past": _l("Kies een datum vanaf vandaag."),
    "date_too_far": _l("Kies een datum in de komende %(years)s jaar."),
    "bad_slug": _l("Gebruik alleen kleine letters, cijfers en streepjes (-), hoogstens "
                   "%(limit)s tekens, bijvoorbeeld zwolle-2025."),
    "slug_taken": _l("Een andere bijeenkomst heeft dit webadres al. Kies een ander."),
    "slug_reserved": _l("Dit woord kan niet als webadres. Kies een ander."),
    "has_registrations": _l("Voor deze bijeenkomst zijn aanmeldingen geweest. U kunt hem "
                            "archiveren, maar niet verwijderen."),
    "meeting_gone": _l("Deze bijeenkomst bestaat niet meer."),
    "archive_upcoming": _l("Een bijeenkomst die nog moet komen, kunt u niet archiveren: via de "
                           "link en de QR-code kunnen mensen zich dan nog aanmelden, zonder dat "
                           "u het in het overzicht ziet. Gaat hij niet door? Annuleer hem dan."),
    "bad_moment": _l("Vul een datum en tijd in als jjjj-mm-dd uu:mm, bijvoorbeeld "
                     "2025-03-03 09:00."),
    "no_such_date": _l("Deze datum bestaat niet. Kijk of de dag en de maand kloppen."),
    "moment_out_of_range": _l("Dit jaartal klopt niet. Kies een jaar vanaf %(year)s."),
    "moment_skipped": _l("Dit tijdstip bestaat niet: die nacht gaat de klok een uur vooruit "
                         "(van 02:00 naar 03:00). Kies een ander tijdstip."),
    "opens_after_start": _l("Aanmelden moet kunnen voordat de bijeenkomst begint. Kies een "
                            "eerder moment."),
    "closes_after_start": _l("Aanmelden moet stoppen voordat de bijeenkomst begint. Kies een "
                             "eerder moment."),
    "closes_before_opens": _l("Het einde van het aanmelden moet na het begin liggen."),
    # bookings
    "meeting_closed": _l("Aanmelden voor deze bijeenkomst is gesloten."),
    "registration_not_open": _l("Aanmelden voor deze bijeenkomst kan nog niet."),
    "meeting_past": _l("Deze bijeenkomst is al geweest."),
    "meeting_full": _l("Deze bijeenkomst is vol."),
    "bad_role": _l("Kies wie u bent."),
    "guardian_consent_required": _l(
        "Een leerling jonger dan 16 jaar heeft toestemming nodig van een ouder of voogd."),
    "guardian_email_required": _l("Vul het e-mailadres van de ouder of voogd in."),
    "bad_transition": _l("Dat kan niet meer met deze aanmelding."),
    "same_meeting": _l("U bent al aangemeld voor deze bijeenkomst."),
    "already_registered_there": _l("Met dit e-mailadres bent u al aangemeld voor die bijeenkomst."),
    "already_registered": _l("Dit e-mailadres is al aangemeld voor deze bijeenkomst."),
    "not_confirmed": _l("Deze aanmelding is niet bevestigd."),
    "email_taken": _l("Iemand anders is met dit e-mailadres al aangemeld voor deze bijeenkomst."),
    "other_meeting": _l("Dit ticket is voor een andere bijeenkomst."),
    "no_email": _l("Van deze deelnemer hebben we geen e-mailadres."),
    "consent_closed": _l("Deze aanmelding is niet meer actief. Uw besluit is niet meer nodig."),
    # the programme
    "workshop_required": _l("Kies een workshop voor ronde %(round)s."),
    "workshop_unknown": _l("Kies een van de workshops van deze ronde."),
    "workshop_other_role": _l("Deze workshop is niet voor uw groep. Kies een andere workshop."),
    "workshop_full": _l("Deze workshop is vol. Kies een andere workshop."),
    "workshop_has_choices": _l(
        "Er hebben al mensen voor deze workshop gekozen. U kunt hem wel wijzigen."),
    "bad_round": _l("Kies een ronde van 1 tot %(high)s, of laat het leeg voor iedereen."),
    "bad_roles": _l("Gebruik als groepen alleen po, vo, go, ouder en leerling."),
    "round_not_open": _l("In deze ronde kunt u nog niet kiezen."),
    "round_unknown": _l("Deze bijeenkomst heeft geen workshops in ronde %(round)s."),
    "opens_after_meeting": _l("Kies een moment op of vóór de dag van de bijeenkomst."),
    # reminder campaigns and mail
    "bad_campaign_key": _l(
        "Gebruik voor de naam van de campagne alleen letters, cijfers, - en _ (hoogstens 64)."),
    "campaign_other_role": _l(
        "Deze campagne is al verstuurd aan een andere groep (%(role)s). Kies een nieuwe naam."),
    "mail_not_found": _l("Deze e-mail bestaat niet."),
    "mail_not_failed": _l("Deze e-mail is niet mislukt en hoeft niet opnieuw."),
    # exports
    "bad_status": _l("Onbekende status. Gebruik onbevestigd, bevestigd, wachtlijst, afgemeld, "
                     "verlopen of verwijderd."),
    "bad_separator": _l("Onbekend scheidingsteken. Gebruik sep=comma, of laat het weg voor ;."),
    "bad_format": _l("Kies csv, xlsx of pdf."),
    # accounts, passwords and two-factor login
    "password_too_short": _l("Kies een wachtwoord van minstens %(min)s tekens."),
    "password_too_long": _l("Gebruik hoogstens %(limit)s tekens."),
    "password_common": _l("Dit wachtwoord is te makkelijk te raden. Kies een ander, "
                          "bijvoorbeeld een zin van een paar woorden."),
    "bad_email": _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    "bad_account_role": _l("Kies een rol."),
    "account_exists": _l("Er is al een account met dit e-mailadres."),
    "already_has_password": _l("Dit account heeft al een wachtwoord. Een uitnodiging is niet "
                               "meer nodig."),
    "account_disabled": _l("Dit account staat uit. Zet het eerst weer aan."),
    "last_admin": _l("Dit is de laatste beheerder. Maak eerst iemand anders beheerder."),
    "wrong_password": _l("Dit is niet uw huidige wachtwoord."),
    "link_invalid": _l("Deze link werkt niet meer. Vraag een nieuwe link aan."),
    "bad_code": _l("Deze code klopt niet. Vul de 6 cijfers in die uw app nu laat zien."),
    "second_factor_exists": _l("Inloggen in twee stappen staat al aan."),
    "no_enrolment": _l("Begin opnieuw met het instellen van inloggen in twee stappen."),
    "bad_columns": _l("Onbekende kolom. Kies uit e-mail, status, bron, aangemeld_op en "
                      "ingecheckt_op, met komma's ertussen."),
    # QR images
    "bad_qr_size": _l("Kies een grootte van %(low)s tot %(high)s pixels."),
    "bad_qr_level": _l("Kies een foutcorrectie: L, M, Q of H."),
}


def message_for(error: DomainError) -> str:
    text = MESSAGES.get(error.code)
    if text is None:
        return str(_l("Dat lukte niet. Probeer het opnieuw."))
    return str(text) % error.params if error.params else str(text)
