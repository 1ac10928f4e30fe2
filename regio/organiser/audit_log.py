"""The audit log (admins): who logged in, exported, changed or cancelled what, and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from regio.audit import AuditEvent
from regio.db import db
from regio.i18n import meeting_tz
from regio.labels import audit_sentence
from regio.meetings.models import Meeting
from regio.meetings.services import list_meetings
from regio.organiser import bp
from regio.organiser.access import require
from regio.organiser.loading import clean_query, page_number
from regio.registrations.models import Registration
from regio.registrations.search import matches

PER_PAGE = 50

# The filter's kinds: a code prefix each, so a new event of a kind is found without a change.
KINDS = {
    "aanmeldingen": ("registration.", _l("Aanmeldingen en inchecken")),
    "exports": ("export", _l("Downloads van lijsten")),
    "bijeenkomsten": ("meeting.", _l("Wijzigingen van bijeenkomsten")),
    "email": (("reminders.", "mail."), _l("Herinneringen en e-mail")),
    "inloggen": (("login", "logout"), _l("Inloggen")),
    "accounts": ("account.", _l("Accounts")),
    "bewaartermijn": ("retention.", _l("Gegevens gewist na de bewaartermijn")),
}


@dataclass
class Line:
    event: AuditEvent
    sentence: str


def describe(events: Sequence[AuditEvent]) -> list[Line]:
    """The events as sentences, with names and cities loaded once for all of them."""
    ids = {e.details.get("registration") for e in events if isinstance(e.details, dict)}
    ids = {i for i in ids if isinstance(i, int)}
    people = dict(db.session.execute(
        select(Registration.id, Registration.name).where(Registration.id.in_(ids))).all()
    ) if ids else {}
    cities = dict(db.session.execute(select(Meeting.slug, Meeting.city)).all())
    return [Line(e, audit_sentence(e, people=people, cities=cities)) for e in events]


@dataclass
class LogFilters:
    meeting: str = ""
    kind: str = ""
    person: str = ""
    day: date | None = None

    @classmethod
    def from_args(cls, args) -> LogFilters:
        slug = clean_query(args.get("bijeenkomst"), 64)
        kind = args.get("soort", "")
        try:
            day = date.fromisoformat(args.get("datum", ""))
        except ValueError:
            day = None
        return cls(meeting=slug, kind=kind if kind in KINDS else "",
                   person=clean_query(args.get("persoon")), day=day)

    def args(self) -> dict:
        return {"bijeenkomst": self.meeting or None, "soort": self.kind or None,
                "persoon": self.person or None,
                "datum": self.day.isoformat() if self.day else None}

    def statement(self):
        stmt = select(AuditEvent)
        if self.meeting:
            stmt = stmt.where(AuditEvent.subject == self.meeting)
        if self.kind:
            prefixes = KINDS[self.kind][0]
            prefixes = prefixes if isinstance(prefixes, tuple) else (prefixes,)
            stmt = stmt.where(db.or_(*(AuditEvent.action.startswith(p) for p in prefixes)))
        if self.person:
            ids = select(Registration.id).where(matches(self.person))
            stmt = stmt.where(AuditEvent.details["registration"].as_integer().in_(ids))
        if self.day:
            start = datetime.combine(self.day, time(), meeting_tz())
            stmt = stmt.where(AuditEvent.at >= start, AuditEvent.at < start + timedelta(days=1))
        return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


@bp.get("/logboek")
@require("admin")
def audit_log():
    filters = LogFilters.from_args(request.args)
    events = db.paginate(filters.statement(), page=page_number(request.args.get("pagina")),
                         per_page=PER_PAGE, error_out=False)
    return render_template("organiser/audit_log.html", events=events,
                           lines=describe(events.items), filters=filters, kinds=KINDS,
                           meetings=list_meetings())
