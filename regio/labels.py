"""Words for people, codes for machines: the one table from every code an organiser can see
(roles, statuses, mail kinds and states, audit events) to Dutch, translated to English.

Every organiser page, mail and export shows a code through this module, never the code itself.
A new audit event is one line in AUDIT_SENTENCES: a sentence with %(name)s placeholders filled
from the event (see `audit_values` for the names).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l

from regio.accounts import events as account_events
from regio.i18n import local_datetime
from regio.meetings import events as meeting_events

ROLE_LABELS = {
    "po": _l("primair onderwijs"),
    "vo": _l("voortgezet onderwijs"),
    "go": _l("gespecialiseerd onderwijs"),
    "ouder": _l("ouder"),
    "leerling": _l("leerling"),
}

# The longer form for a choice in a form, where the reader picks one.
ROLE_CHOICE_LABELS = {
    "po": _l("po (primair onderwijs)"),
    "vo": _l("vo (voortgezet onderwijs)"),
    "go": _l("go (gespecialiseerd onderwijs)"),
    "ouder": _l("ouder of vertegenwoordiger van ouders"),
    "leerling": _l("leerling of vertegenwoordiger van leerlingen"),
}

# Registration statuses (Status values in regio.registrations.models).
STATUS_LABELS = {
    "held": _l("onbevestigd"),
    "confirmed": _l("bevestigd"),
    "waiting": _l("wachtlijst"),
    "cancelled": _l("afgemeld"),
    "expired": _l("verlopen"),
    "erased": _l("verwijderd"),
}

# Meeting statuses (MeetingStatus values in regio.meetings.models), as the badges show them.
MEETING_STATUS_LABELS = {
    "open": _l("open"),
    "vol": _l("vol – wachtlijst"),
    "nog_niet_open": _l("nog niet open"),
    "gesloten": _l("gesloten"),
    "geweest": _l("geweest"),
    "geannuleerd": _l("geannuleerd"),
}

MAIL_KIND_LABELS = {
    "confirm_email": _l("Bevestig je e-mailadres"),
    "link_again": _l("Persoonlijke link opnieuw"),
    "confirmed": _l("Aanmelding bevestigd, met uitnodiging"),
    "waiting": _l("Op de wachtlijst"),
    "promoted": _l("Van de wachtlijst af"),
    "updated": _l("Bijgewerkte uitnodiging"),
    "cancelled": _l("Afmelding"),
    "meeting_cancelled": _l("Bijeenkomst geannuleerd"),
    "moved": _l("Verplaatst naar een andere bijeenkomst"),
    "erased": _l("Gegevens verwijderd"),
    "expired": _l("Plaats vervallen"),
    "reminder": _l("Herinnering"),
    "guardian_notice": _l("Vraag om toestemming aan ouder of voogd"),
    "guardian_refused": _l("Geen toestemming: plaats vrijgegeven"),
    "details_changed": _l("Gegevens aangepast, met bijgewerkte uitnodiging"),
    "account_invite": _l("Uitnodiging voor een account"),
    "password_reset": _l("Link voor een nieuw wachtwoord"),
}

MAIL_STATE_LABELS = {
    "queued": _l("wacht op verzenden"),
    "sending": _l("wordt verstuurd"),
    "sent": _l("verstuurd"),
    "failed": _l("mislukt"),
    "cancelled": _l("niet verstuurd (ingetrokken)"),
}

ACCOUNT_ROLE_LABELS = {
    "admin": _l("beheerder"),
    "organiser": _l("organisator"),
    "checkin": _l("deurmedewerker"),
}

# Why a mail did not go, from the error the mail server gave (a code) to words.
FAILURE_LABELS = {
    "no_such_address": _l("Dit e-mailadres bestaat niet."),
    "mailbox_full": _l("De mailbox van de ontvanger is vol."),
    "refused_as_spam": _l("De mailserver van de ontvanger weigerde het bericht, bijvoorbeeld "
                          "als spam."),
    "refused": _l("De mailserver van de ontvanger weigerde het bericht."),
    "temporary": _l("Tijdelijk niet gelukt. Regio probeert het later opnieuw."),
    "no_connection": _l("Geen verbinding met de mailserver. Regio probeert het later opnieuw."),
    "not_built": _l("Het bericht kon niet worden gemaakt. Meld dit aan de beheerder."),
    # Failures Regio itself finds before sending (regio.mail.sender: "<code>: <detail>").
    "address_not_ascii": _l(
        "Het e-mailadres heeft letters met accenten vóór de @. Zo'n adres kan niet bezorgd "
        "worden. Pas het adres aan en probeer het opnieuw."),
    "address_invalid": _l("Het e-mailadres klopt niet. Pas het adres aan en probeer het opnieuw."),
    "meeting_gone": _l("De bijeenkomst van dit bericht bestaat niet meer."),
    "unknown": _l("Onbekende fout."),
}

# Meeting fields, for "what changed" in the audit log and the change confirmation.
FIELD_LABELS = {
    "date": _l("datum"),
    "start_time": _l("begintijd"),
    "end_time": _l("eindtijd"),
    "venue": _l("locatie"),
    "address": _l("adres"),
    "city": _l("plaats"),
    "capacity": _l("aantal plaatsen"),
    "is_open": _l("inschrijving open"),
    "registration_opens_at": _l("aanmelden vanaf"),
    "registration_closes_at": _l("aanmelden tot"),
    "cancelled": _l("geannuleerd"),
    "title": _l("titel"),
    "name": _l("naam"),
    "organisation": _l("organisatie"),
    "needs": _l("wensen"),
    # programme items
    "start": _l("begintijd"),
    "end": _l("eindtijd"),
    "room": _l("zaal"),
    "speaker": _l("spreker"),
    "description": _l("beschrijving"),
    "roles": _l("groepen"),
    "round": _l("ronde"),
}

GUARDIAN_DECISION_LABELS = {
    "given": _l("toestemming gegeven"),
    "refused": _l("geen toestemming gegeven"),
    "withdrawn": _l("toestemming ingetrokken"),
}

EXPORT_FORMAT_LABELS = {
    "csv": _l("deelnemerslijst (CSV)"),
    "xlsx": _l("deelnemerslijst (Excel)"),
    "pdf": _l("presentielijst (PDF)"),
    "wishes": _l("wensenlijst (toegang en dieet)"),
}

# One sentence per audit event code. Placeholders: actor, meeting, person, to, role, status,
# format, rows, changed, campaign, queued, invites, cancellations, erased, needs_cleared, kind,
# subject, ip, and any other detail of the event under its own name.
AUDIT_SENTENCES = {
    "login": _l("%(actor)s is ingelogd"),
    "login.failed": _l("Mislukte inlogpoging voor %(actor)s"),
    "export": _l("%(format)s van %(meeting)s gedownload (%(rows)s rijen; %(filters)s) "
                 "door %(actor)s"),
    "meeting.update": _l("Bijeenkomst %(meeting)s gewijzigd (%(changed)s) door %(actor)s; "
                         "%(invites)s bijgewerkte uitnodigingen, %(cancellations)s "
                         "annuleringen"),
    "reminders.send": _l("Herinnering „%(campaign)s” voor %(meeting)s naar %(queued)s mensen "
                         "(%(role)s) door %(actor)s"),
    "mail.retry": _l("E-mail „%(kind)s” opnieuw in de wachtrij gezet door %(actor)s"),
    "retention.purge": _l("Bewaartermijn voorbij: %(erased)s aanmeldingen gewist, wensen van "
                          "%(needs_cleared)s mensen gewist"),
    "registration.cancel": _l("%(person)s afgemeld voor %(meeting)s door %(actor)s"),
    "registration.move": _l("%(person)s verplaatst van %(meeting)s naar %(to)s door %(actor)s"),
    "registration.erase": _l("Gegevens van %(person)s (%(meeting)s) verwijderd door %(actor)s"),
    "registration.walk_in": _l("%(person)s aan de deur aangemeld en ingecheckt in %(meeting)s "
                               "door %(actor)s"),
    "registration.resend_link": _l("Persoonlijke link van %(person)s opnieuw gemaild door "
                                   "%(actor)s"),
    "registration.check_in": _l("%(person)s ingecheckt in %(meeting)s door %(actor)s"),
    "programme.add": _l("Programma van %(meeting)s: onderdeel toegevoegd door %(actor)s"),
    "programme.change": _l("Programma van %(meeting)s: onderdeel gewijzigd (%(changed)s) door "
                           "%(actor)s; %(invites)s bijgewerkte uitnodigingen"),
    "programme.remove": _l("Programma van %(meeting)s: onderdeel verwijderd door %(actor)s"),
    "export.workshop": _l("Lijst van een workshop van %(meeting)s gedownload (%(format)s) door "
                          "%(actor)s"),
    "export.rooms": _l("Presentielijsten per zaal van %(meeting)s gedownload (%(rows)s "
                       "plaatsen) door %(actor)s"),
    "programme.round_opens": _l("Programma van %(meeting)s: kiezen in ronde %(round)s kan vanaf "
                                "%(opens)s, ingesteld door %(actor)s"),
    "programme.round_open": _l("Programma van %(meeting)s: kiezen in ronde %(round)s kan nu, "
                               "ingesteld door %(actor)s"),
    "registration.email": _l("E-mailadres van %(person)s aangepast door %(actor)s"),
    "registration.guardian_decision": _l("Ouder of voogd van %(person)s (%(meeting)s): "
                                         "%(decision)s"),
    "registration.details_change": _l("%(person)s heeft eigen gegevens aangepast (%(fields)s) "
                                      "voor %(meeting)s"),
    "registration.check_in_undo": _l("Inchecken van %(person)s in %(meeting)s ongedaan gemaakt "
                                     "door %(actor)s"),
}

# Accounts and meetings keep the sentences of their own events beside their codes.
AUDIT_SENTENCES.update(account_events.SENTENCES)
AUDIT_SENTENCES.update(meeting_events.SENTENCES)

# Who did it, when it was not a person: the `regio` command or Regio on its own (a schedule).
ACTOR_LABELS = {
    "cli": _l("de beheerder via de opdrachtregel"),
    "guardian": _l("de ouder of voogd"),
    "attendee": _l("de deelnemer zelf"),
    "system": _l("Regio (automatisch)"),
}

UNKNOWN_EVENT = _l("Actie „%(action)s” door %(actor)s")
ERASED_PERSON = _l("(verwijderd)")


def _label(table: Mapping, code: str | None) -> str:
    if code is None:
        return ""
    label = table.get(code)
    return str(label) if label is not None else code


def in_words(table: Mapping) -> Callable[[str | None], str]:
    """`table`'s labels in the current language, looked up once: for a long list."""
    words = {code: str(label) for code, label in table.items()}
    return lambda code: "" if code is None else words.get(code, code)


def role_label(code: str | None) -> str:
    return _label(ROLE_LABELS, code)


def status_label(code: str | None) -> str:
    return _label(STATUS_LABELS, code)


def meeting_status_label(code: str | None) -> str:
    return _label(MEETING_STATUS_LABELS, code)


def mail_kind_label(code: str | None) -> str:
    return _label(MAIL_KIND_LABELS, code)


def mail_state_label(code: str | None) -> str:
    return _label(MAIL_STATE_LABELS, code)


def failure_code(error: str | None) -> str | None:
    """The kind of failure in an SMTP error text such as "550 5.1.1 <a@b>: unknown"."""
    if not error:
        return None
    own = error.split(":", 1)[0]
    if own in FAILURE_LABELS:
        return own
    code, _, rest = error.partition(" ")
    if error.startswith("could not build"):
        return "not_built"
    if not (code.isdigit() and len(code) == 3):
        return "no_connection" if "Error" in code or "timed out" in error else "unknown"
    detail = rest.split(" ", 1)[0]
    if code.startswith("4"):
        return "temporary"
    if detail.endswith(".1.1") or (code == "550" and "unknown" in rest.lower()):
        return "no_such_address"
    if code == "552" or detail.endswith(".2.2"):
        return "mailbox_full"
    if code == "554" or ".7." in detail:
        return "refused_as_spam"
    return "refused" if code.startswith("5") else "unknown"


def mail_failure_reason(error: str | None) -> str:
    return _label(FAILURE_LABELS, failure_code(error))


class _Values(dict):
    """The values of a sentence; a placeholder the event does not have reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _filters(details: Mapping) -> str:
    parts = []
    if details.get("role"):
        parts.append(str(_l("rol: %(role)s", role=role_label(details["role"]))))
    if details.get("status"):
        parts.append(str(_l("status: %(status)s", status=details["status"])))
    if details.get("q"):
        parts.append(str(_l("zoekterm: %(q)s", q=details["q"])))
    return ", ".join(parts) or str(_l("alles"))


def audit_values(event, *, people: Mapping[int, str], cities: Mapping[str, str]) -> _Values:
    """What the sentence of `event` (an AuditEvent) needs, in words.

    `people` maps registration ids to names, `cities` meeting slugs to cities: the view loads
    them for a whole page at once. An erased person reads as "(verwijderd)".
    """
    details = dict(event.details or {})
    values = _Values({key: "" if value is None else value for key, value in details.items()})
    values.update(actor=_label(ACTOR_LABELS, event.actor), action=event.action,
                  subject=event.subject or "",
                  meeting=cities.get(event.subject, event.subject or ""))
    if "registration" in details:
        values["person"] = people.get(details["registration"]) or str(ERASED_PERSON)
    if details.get("to"):
        values["to"] = cities.get(details["to"], details["to"])
    values["role"] = role_label(details["role"]) if details.get("role") else str(
        _l("iedereen"))
    if event.action.startswith("account."):
        values["account_role"] = values["role"] = _label(ACCOUNT_ROLE_LABELS,
                                                         details.get("role"))
    if details.get("format"):
        values["format"] = _label(EXPORT_FORMAT_LABELS, details["format"])
    values["filters"] = _filters(details)
    if isinstance(details.get("changed"), list):
        values["changed"] = ", ".join(_label(FIELD_LABELS, name) for name in details["changed"])
    if isinstance(details.get("fields"), list):
        values["fields"] = ", ".join(_label(FIELD_LABELS, name) for name in details["fields"])
    if details.get("decision"):
        values["decision"] = _label(GUARDIAN_DECISION_LABELS, details["decision"])
    if details.get("kind"):
        values["kind"] = mail_kind_label(details["kind"])
    if isinstance(details.get("opens"), str):
        values["opens"] = _moment(details["opens"])
    return values


def _moment(text: str) -> str:
    """A stored ISO moment on the meetings' wall clock, as the organiser typed it."""
    try:
        return local_datetime(datetime.fromisoformat(text))
    except ValueError:
        return text


def audit_sentence(event, *, people: Mapping[int, str], cities: Mapping[str, str]) -> str:
    sentence = AUDIT_SENTENCES.get(event.action, UNKNOWN_EVENT)
    return str(sentence) % audit_values(event, people=people, cities=cities)


def register(app: Flask) -> None:
    """The labels as Jinja filters: `{{ r.role|role_label }}` and so on."""
    app.jinja_env.filters.update(role_label=role_label, status_label=status_label,
                                 meeting_status_label=meeting_status_label,
                                 mail_kind_label=mail_kind_label,
                                 mail_state_label=mail_state_label,
                                 mail_failure_reason=mail_failure_reason)
