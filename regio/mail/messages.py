"""Build the mail for an outbox row from the database as it is at send time.

A mail is `multipart/alternative` (text, html); a mail with an invite is `multipart/mixed`
holding that alternative with the `text/calendar; method=…` part added, plus the same file as
an `uitnodiging.ics` attachment (DESIGN §4).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import lazy_gettext as _l
from jinja2 import Environment
from jinja2.ext import InternationalizationExtension
from markupsafe import escape
from sqlalchemy import select

from regio import invites
from regio.contact import contact_for
from regio.db import db
from regio.i18n import long_date
from regio.mail import account_mail
from regio.mail.addresses import AddressError, to_wire
from regio.mail.models import OutboxMessage, ReminderCampaign
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.programme.seats import programme_of
from regio.programme.words import day_lines
from regio.registrations.models import Registration, Status

SUBJECTS = {
    Kind.CONFIRM_EMAIL: _l("Bevestig uw aanmelding: regiobijeenkomst %(city)s"),
    Kind.LINK_AGAIN: _l("Uw persoonlijke link: regiobijeenkomst %(city)s"),
    Kind.CONFIRMED: _l("Aanmelding bevestigd: regiobijeenkomst %(city)s, %(date)s"),
    Kind.WAITING: _l("U staat op de wachtlijst: regiobijeenkomst %(city)s"),
    Kind.PROMOTED: _l("Er is een plaats voor u: regiobijeenkomst %(city)s"),
    Kind.UPDATED: _l("Gewijzigd: regiobijeenkomst %(city)s, %(date)s"),
    Kind.CANCELLED: _l("Afgemeld: regiobijeenkomst %(city)s"),
    Kind.MEETING_CANCELLED: _l("Gaat niet door: regiobijeenkomst %(city)s, %(date)s"),
    Kind.MOVED: _l("Overgestapt: uw plaats in %(city)s is vrijgegeven"),
    Kind.ERASED: _l("Uw gegevens zijn verwijderd: regiobijeenkomst %(city)s"),
    Kind.EXPIRED: _l("Uw plaats is vrijgegeven: regiobijeenkomst %(city)s"),
    Kind.REMINDER: _l("Herinnering: regiobijeenkomst %(city)s, %(date)s"),
    Kind.GUARDIAN_NOTICE: _l("Uw toestemming gevraagd: aanmelding van een leerling voor de "
                             "regiobijeenkomst %(city)s"),
    Kind.GUARDIAN_REFUSED: _l("Geen toestemming: uw aanmelding voor %(city)s is afgemeld"),
    Kind.DETAILS_CHANGED: _l("Gegevens aangepast: regiobijeenkomst %(city)s, %(date)s"),
}
# An updated invite for a change of the person's own day (a workshop switched, a place from a
# workshop's waiting list, a workshop moved), not of the meeting itself.
PROGRAMME_SUBJECT = _l("Uw programma is gewijzigd: regiobijeenkomst %(city)s, %(date)s")

REQUEST_KINDS = (Kind.CONFIRMED, Kind.PROMOTED, Kind.UPDATED, Kind.REMINDER,
                 Kind.DETAILS_CHANGED)
CANCEL_KINDS = (Kind.CANCELLED, Kind.MEETING_CANCELLED, Kind.MOVED, Kind.ERASED,
                Kind.GUARDIAN_REFUSED)
# Mails about a registration that must still be what it was when the mail was queued.
NEEDS_STATUS = {
    Kind.CONFIRM_EMAIL: Status.ACTIVE,
    Kind.LINK_AGAIN: Status.ACTIVE,
    Kind.GUARDIAN_NOTICE: Status.ACTIVE,
    Kind.WAITING: (Status.WAITING,),
    Kind.PROMOTED: Status.TAKES_PLACE,
}


@dataclass
class Dropped:
    """Nothing to send for this row any more, and why."""

    reason: str


def invite_method(row: OutboxMessage) -> str | None:
    payload = row.payload or {}
    if row.kind in REQUEST_KINDS:
        if row.kind == Kind.PROMOTED and payload.get("needs_confirm"):
            return None
        return invites.REQUEST
    if row.kind in CANCEL_KINDS and payload.get("with_invite"):
        return invites.CANCEL
    return None


class MeetingGone(LookupError):
    """The mail is about a meeting that no longer exists: it fails, organisers see why."""

    code = "meeting_gone"


def _why_not(row, registration, meeting, method, today) -> str | None:
    if row.kind == Kind.ERASED:
        return None if meeting is not None else "meeting gone"
    if registration is None:
        return "registration gone"
    if meeting is None:
        raise MeetingGone(f"meeting_gone: {_meeting_id(row, registration)}")
    if registration.status == Status.ERASED:
        return "erased"
    same_item = registration.uid == (row.payload or {}).get("uid", registration.uid)
    # An invite follows the state at send time: never a REQUEST once the place or the meeting
    # is gone (a CANCEL is queued for that), so a later update cannot undo a cancellation.
    if method == invites.REQUEST and (registration.status != Status.CONFIRMED or not same_item
                                      or meeting.is_cancelled):
        return "superseded"
    allowed = NEEDS_STATUS.get(row.kind)
    if allowed is not None and (registration.status not in allowed or not same_item):
        return "superseded"
    if row.kind == Kind.REMINDER and (meeting.is_cancelled or meeting.is_past(today)):
        return "meeting cancelled or past"
    return None


class Composer:
    """Turns outbox rows into wire bytes; holds what every message of a batch shares."""

    def __init__(self, *, now: datetime) -> None:
        config = current_app.config
        self.now = now
        self.base_url = config["REGIO_BASE_URL"].rstrip("/")
        self.timezone = config["REGIO_TIMEZONE"]
        self.mail_from = config["MAIL_FROM"]
        self.envelope_from = parseaddr(self.mail_from)[1]
        self.organizer = invites.Party(config["REGIO_ORGANIZER_EMAIL"],
                                       parseaddr(self.mail_from)[0] or None)
        self.confirm_hours = config["REGIO_CONFIRM_WITHIN_HOURS"]
        self.retention = timedelta(days=config["REGIO_RETENTION_DAYS"])
        self.contact = contact_for(config)
        self.env = current_app.jinja_env
        self.today = now.astimezone(ZoneInfo(self.timezone)).date()
        self._rendered: dict[tuple, tuple[str, str, str]] = {}
        self._with_programme: dict[int, bool] = {}

    def compose(self, row: OutboxMessage, registration: Registration | None,
                meeting: Meeting | None, campaign: ReminderCampaign | None = None,
                ) -> bytes | Dropped:
        if row.kind in Kind.ACCOUNT:
            subject, text, html = account_mail.render(row, base_url=self.base_url,
                                                      reply_to=self.organizer.email)
            content_type, body = _multipart("alternative", [_text_part(text, "plain"),
                                                            _text_part(html, "html")])
            return self._wire(row, subject, "", "nl", content_type, body)
        method = invite_method(row)
        reason = _why_not(row, registration, meeting, method, self.today)
        if reason:
            return Dropped(reason)
        payload = row.payload or {}
        token = payload.get("token")
        person = registration if registration is not None and registration.email else None
        locale = registration.locale if registration is not None else "nl"
        locale = locale if locale in current_app.config["LANGUAGES"] else "nl"
        is_guardian = row.kind == Kind.GUARDIAN_NOTICE
        page = "toestemming" if is_guardian else "aanmelding"
        personal = {
            "name": person.name if person and not is_guardian else None,
            "pupil_name": registration.name if registration is not None else None,
            "link": f"{self.base_url}/{page}/{token}" if token else None,
            "position": _waiting_position(registration) if row.kind == Kind.WAITING else None,
            "programme": self._programme(row, person, meeting, locale),
        }
        shared = {
            "kind": row.kind,
            "locale": locale,
            "meeting": meeting,
            "is_guardian": is_guardian,
            "meeting_url": f"{self.base_url}/bijeenkomsten/{meeting.slug}",
            "index_url": f"{self.base_url}/",
            "with_invite": method is not None,
            "needs_confirm": bool(payload.get("needs_confirm")),
            "programme_changed": row.kind == Kind.UPDATED and bool(payload.get("programme")),
            "awaits_guardian": bool(registration is not None and registration.awaits_guardian),
            "is_waiting": bool(registration is not None
                               and registration.status == Status.WAITING),
            "confirm_hours": self.confirm_hours,
            "organizer_email": self.organizer.email,
            "contact": self.contact,
            "deletion_date": meeting.date + self.retention,
            "campaign": campaign,
        }
        subject, text, html = self._render(row, shared, personal)
        context = {**shared, **personal}
        parts = [_text_part(text, "plain"), _text_part(html, "html")]
        if method is None:
            content_type, body = _multipart("alternative", parts)
        else:
            description = context["link"] or context["meeting_url"]
            if context["programme"]:
                description += "\n\n" + context["programme"]
            ics = self._invite(method, row, registration, meeting, context["name"], description)
            # The inline part carries the file's very bytes (CRLFs, the last one included):
            # clients compare the two, and `_text_part` would normalise the line ends.
            calendar = _part(f"text/calendar; charset=utf-8; method={method}",
                             binascii.b2a_qp(ics, istext=True), "quoted-printable")
            attachment = _part("application/ics", _base64(ics), "base64",
                               f'Content-Disposition: attachment; filename="{invites.FILENAME}"')
            alternative = _part(*_multipart("alternative", [*parts, calendar]))
            content_type, body = _multipart("mixed", [alternative, attachment])
        return self._wire(row, subject, context["name"] or "", locale, content_type, body)

    def _wire(self, row, subject: str, name: str, locale: str, content_type: str,
              body: bytes) -> bytes:
        headers = {
            "Subject": _header_text(subject, "Subject"),
            "From": self.mail_from,
            "To": formataddr((name, to_wire(row.recipient)), charset="utf-8"),
            "Reply-To": self.organizer.email,
            "Date": format_datetime(row.created_at),
            "Message-ID": row.message_id,
            "Auto-Submitted": "auto-generated",
            "Content-Language": locale,
            "MIME-Version": "1.0",
            "Content-Type": content_type,
        }
        head = "".join(f"{key}: {_one_line(value)}\r\n" for key, value in headers.items())
        return head.encode("ascii") + b"\r\n" + body

    def _render(self, row, shared: dict, personal: dict) -> tuple[str, str, str]:
        """Subject, text and html. Rendered once per batch for each kind, meeting, language
        and set of personal fields given, with markers the personal values then replace: a
        campaign to 2,000 attendees runs its templates once, not 2,000 times."""
        key = (row.kind, shared["locale"], shared["meeting"].id, row.campaign_id,
               shared["with_invite"], shared["needs_confirm"], shared["awaits_guardian"],
               shared["programme_changed"], shared["is_waiting"],
               *(value is None for value in personal.values()))
        rendered = self._rendered.get(key)
        if rendered is None:
            markers = {name: None if value is None else f"\x00{name}\x00"
                       for name, value in personal.items()}
            context = {**shared, **markers}
            with force_locale(shared["locale"]):
                env = _mail_env(self.env, shared["locale"])
                rendered = self._rendered[key] = (
                    self._subject(row, shared["meeting"], shared["campaign"],
                                  shared["programme_changed"]),
                    _tidy(env.get_template(f"mail/{row.kind}.txt").render(context)),
                    env.get_template(f"mail/{row.kind}.html").render(context),
                )
        subject, text, html = rendered
        for name, value in personal.items():
            if value is not None:
                marker, value = f"\x00{name}\x00", str(value).replace("\x00", "")
                text = text.replace(marker, value)
                html = html.replace(marker, str(escape(value)).replace("\n", "<br>\n"))
        return subject, text, html

    def _programme(self, row, person, meeting, locale: str) -> str | None:
        """The person's own day when the meeting has a programme (regio.programme). A mail
        that ends the person's part in the meeting has none: their choices are gone (it read
        "Ronde 1: nog geen workshop gekozen"), and a move's day is the other meeting's."""
        if person is None or row.kind in (Kind.GUARDIAN_NOTICE, Kind.EXPIRED, *CANCEL_KINDS):
            return None
        if meeting.id not in self._with_programme:
            self._with_programme[meeting.id] = bool(programme_of(meeting.id))
        if not self._with_programme[meeting.id]:
            return None
        with force_locale(locale):
            return day_lines(person, now=self.now)

    def _subject(self, row, meeting, campaign, programme_changed: bool = False) -> str:
        if row.kind == Kind.REMINDER and campaign is not None and campaign.subject:
            return campaign.subject
        subject = PROGRAMME_SUBJECT if programme_changed else SUBJECTS[row.kind]
        return str(subject) % {"city": meeting.city, "date": long_date(meeting.date)}

    def _invite(self, method, row, registration, meeting, name, description) -> bytes:
        payload = row.payload
        build = invites.request_invite if method == invites.REQUEST else invites.cancel_invite
        sequence = int(payload["sequence"])
        if registration is not None and registration.uid == payload["uid"]:
            # The item's facts are read now, so its SEQUENCE is today's too: never below one a
            # later change (or the personal download) has already shown the calendar.
            sequence = max(sequence, registration.sequence + meeting.sequence)
        return build(
            invites.facts_for(meeting, base_url=self.base_url, timezone=self.timezone),
            uid=payload["uid"], sequence=sequence,
            attendee=invites.Party(row.recipient, name), organizer=self.organizer,
            now=self.now, description=description,
        )


def _tidy(text: str) -> str:
    """At most one blank line in a row, none at the ends: templates need not count them."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


_MAIL_ENVS: WeakKeyDictionary = WeakKeyDictionary()


def _mail_env(env: Environment, locale: str) -> Environment:
    """The app's Jinja environment bound to one locale's catalogue.

    Flask-Babel's template gettext looks the catalogue up again on every call, which was a
    quarter of the cost of a mail; call under `force_locale(locale)` the first time.
    """
    per_locale = _MAIL_ENVS.setdefault(env, {})
    if locale not in per_locale:
        overlay = env.overlay(cache_size=100)  # own cache: templates bind their globals
        overlay.globals = dict(env.globals)
        # The overlay's own i18n extension (env.install_gettext_translations is bound to the
        # parent's and would change the web pages' language).
        overlay.extensions[InternationalizationExtension.identifier]._install(
            get_translations(), newstyle=True)
        per_locale[locale] = overlay
    return per_locale[locale]


# --- MIME by hand: the email package's generator costs more than everything else together ---


def _one_line(value: str) -> str:
    """No header injection: a value never spans lines except by our own folding."""
    return value if "\n" not in value and "\r" not in value else " ".join(value.splitlines())


def _header_text(value: str, name: str) -> str:
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _part(content_type: str, body: bytes, encoding: str | None = None, extra: str = "") -> bytes:
    head = f"Content-Type: {content_type}\r\n"
    if encoding:
        head += f"Content-Transfer-Encoding: {encoding}\r\n"
    if extra:
        head += f"{extra}\r\n"
    return head.encode("ascii") + b"\r\n" + body


def _text_part(text: str, subtype: str, params: str = "") -> bytes:
    crlf = "\r\n".join(text.splitlines()).encode("utf-8")
    return _part(f"text/{subtype}; charset=utf-8{params}", binascii.b2a_qp(crlf, istext=True),
                 "quoted-printable")


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _multipart(subtype: str, parts: list[bytes]) -> tuple[str, bytes]:
    boundary = f"=_regio_{secrets.token_hex(12)}"  # "=_" never occurs in QP or base64 text
    marker = f"--{boundary}".encode("ascii")
    body = b"".join(marker + b"\r\n" + part + b"\r\n" for part in parts) + marker + b"--\r\n"
    return f'multipart/{subtype}; boundary="{boundary}"', body


def _waiting_position(registration: Registration) -> int | None:
    from regio.registrations.queries import waiting_position

    return waiting_position(registration)


def _meeting_id(row: OutboxMessage, registration: Registration | None) -> int | None:
    """The meeting the mail is about (for MOVED the old one, which the payload names)."""
    meeting_id = (row.payload or {}).get("meeting_id")
    if meeting_id is None and registration is not None:
        return registration.meeting_id
    return meeting_id


def _by_id(model, ids) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {obj.id: obj for obj in db.session.execute(
        select(model).where(model.id.in_(ids))).unique().scalars()}


def build_batch(rows: list[OutboxMessage], *, now: datetime,
                ) -> dict[int, bytes | Dropped | Exception]:
    """Wire bytes, Dropped or the error per row id, loading what the rows need in a few
    queries. A row that cannot be built fails alone: the others of the batch still go."""
    registrations = _by_id(Registration, [row.registration_id for row in rows])
    meetings = _by_id(Meeting, [_meeting_id(row, registrations.get(row.registration_id))
                                for row in rows])
    campaigns = _by_id(ReminderCampaign, [row.campaign_id for row in rows])
    composer = Composer(now=now)
    built = {}
    for row in rows:
        registration = registrations.get(row.registration_id)
        try:
            built[row.id] = composer.compose(row, registration,
                                             meetings.get(_meeting_id(row, registration)),
                                             campaigns.get(row.campaign_id))
        except Exception as error:  # recorded per row, never for the whole batch
            if not isinstance(error, (AddressError, MeetingGone)):
                current_app.logger.exception("building mail %s failed", row.id)
            built[row.id] = error
    return built


def build_message(row: OutboxMessage, *, now: datetime) -> EmailMessage | Dropped:
    """The mail for one row, parsed (for previews and tests)."""
    registration = _by_id(Registration, [row.registration_id]).get(row.registration_id)
    meeting_id = _meeting_id(row, registration)
    meeting = _by_id(Meeting, [meeting_id]).get(meeting_id)
    campaign = _by_id(ReminderCampaign, [row.campaign_id]).get(row.campaign_id)
    built = Composer(now=now).compose(row, registration, meeting, campaign)
    if isinstance(built, Dropped):
        return built
    return message_from_bytes(built, policy=policy.default)
