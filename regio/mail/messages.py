"""Build the mail for an outbox row from the database as it is at send time.

A mail is `multipart/alternative` (text, html); a mail with an invite is `multipart/mixed`
holding that alternative with the `text/calendar; method=…` part added, plus the same file as
an `uitnodiging.ics` attachment (DESIGN §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from regio import invites
from regio.db import db
from regio.i18n import long_date
from regio.mail.models import OutboxMessage, ReminderCampaign
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
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
    Kind.GUARDIAN_NOTICE: _l("Aanmelding van een leerling: regiobijeenkomst %(city)s"),
}

# The classic email API: the header-parsing EmailMessage API costs ~10 ms a message.
WIRE = compat32.clone(linesep="\r\n")
UTF8_QP = Charset("utf-8")
UTF8_QP.body_encoding = QP
REQUEST_KINDS = (Kind.CONFIRMED, Kind.PROMOTED, Kind.UPDATED, Kind.REMINDER)
CANCEL_KINDS = (Kind.CANCELLED, Kind.MEETING_CANCELLED, Kind.MOVED, Kind.ERASED)
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


def _why_not(row, registration, meeting, method, today) -> str | None:
    if row.kind == Kind.ERASED:
        return None if meeting is not None else "meeting gone"
    if registration is None or meeting is None:
        return "registration gone"
    if registration.status == Status.ERASED:
        return "erased"
    same_item = registration.uid == (row.payload or {}).get("uid", registration.uid)
    if method == invites.REQUEST and (registration.status != Status.CONFIRMED or not same_item):
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
        self.env = current_app.jinja_env
        self.today = now.astimezone(ZoneInfo(self.timezone)).date()

    def compose(self, row: OutboxMessage, registration: Registration | None,
                meeting: Meeting | None, campaign: ReminderCampaign | None = None,
                ) -> Message | Dropped:
        method = invite_method(row)
        reason = _why_not(row, registration, meeting, method, self.today)
        if reason:
            return Dropped(reason)
        payload = row.payload or {}
        token = payload.get("token")
        person = registration if registration is not None and registration.email else None
        context = {
            "kind": row.kind,
            "registration": registration,
            "meeting": meeting,
            "name": person.name if person and row.kind != Kind.GUARDIAN_NOTICE else None,
            "pupil_name": registration.name if registration is not None else None,
            "is_guardian": row.kind == Kind.GUARDIAN_NOTICE,
            "link": f"{self.base_url}/aanmelding/{token}" if token else None,
            "meeting_url": f"{self.base_url}/bijeenkomsten/{meeting.slug}",
            "index_url": f"{self.base_url}/",
            "with_invite": method is not None,
            "needs_confirm": bool(payload.get("needs_confirm")),
            "confirm_hours": self.confirm_hours,
            "organizer_email": self.organizer.email,
            "position": _waiting_position(registration) if row.kind == Kind.WAITING else None,
            "campaign": campaign,
        }
        locale = registration.locale if registration is not None else "nl"
        with force_locale(locale if locale in current_app.config["LANGUAGES"] else "nl"):
            subject = self._subject(row, meeting, campaign)
            text = self.env.get_template(f"mail/{row.kind}.txt").render(context)
            html = self.env.get_template(f"mail/{row.kind}.html").render(context)
        parts = [_text_part(text, "plain"), _text_part(html, "html")]
        ics = self._invite(method, row, meeting, context["name"], text) if method else None
        if ics is None:
            message = MIMEMultipart("alternative", _subparts=parts)
        else:
            calendar = _text_part(ics.decode("utf-8"), "calendar")
            # Unquoted, as Outlook and Gmail write it themselves.
            calendar.replace_header("Content-Type",
                                    f'text/calendar; charset="utf-8"; method={method}')
            attachment = MIMEApplication(ics, "ics")
            attachment.add_header("Content-Disposition", "attachment",
                                  filename=invites.FILENAME)
            message = MIMEMultipart("mixed", _subparts=[
                MIMEMultipart("alternative", _subparts=[*parts, calendar]), attachment])
        message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
        message["From"] = self.mail_from
        message["To"] = formataddr((context["name"] or "", row.recipient), charset="utf-8")
        message["Reply-To"] = self.organizer.email
        message["Date"] = format_datetime(row.created_at)
        message["Message-ID"] = row.message_id
        message["Auto-Submitted"] = "auto-generated"
        message["Content-Language"] = locale
        return message

    def _subject(self, row, meeting, campaign) -> str:
        if row.kind == Kind.REMINDER and campaign is not None and campaign.subject:
            return campaign.subject
        return str(SUBJECTS[row.kind]) % {"city": meeting.city, "date": long_date(meeting.date)}

    def _invite(self, method, row, meeting, name, text) -> bytes:
        payload = row.payload
        build = invites.request_invite if method == invites.REQUEST else invites.cancel_invite
        return build(
            invites.facts_for(meeting, base_url=self.base_url, timezone=self.timezone),
            uid=payload["uid"], sequence=int(payload["sequence"]),
            attendee=invites.Party(row.recipient, name), organizer=self.organizer,
            now=self.now, description=text,
        )


def _text_part(body: str, subtype: str) -> MIMEText:
    return MIMEText(body, subtype, UTF8_QP)


def as_bytes(message: Message) -> bytes:
    """The message as sent: CRLF line ends, as SMTP wants them."""
    return message.as_bytes(policy=WIRE)


def _waiting_position(registration: Registration) -> int | None:
    from regio.registrations.services import waiting_position

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


def build_batch(rows: list[OutboxMessage], *, now: datetime) -> dict[int, bytes | Dropped]:
    """Wire bytes (or Dropped) per row id, loading what the rows need in a few queries."""
    registrations = _by_id(Registration, [row.registration_id for row in rows])
    meetings = _by_id(Meeting, [_meeting_id(row, registrations.get(row.registration_id))
                                for row in rows])
    campaigns = _by_id(ReminderCampaign, [row.campaign_id for row in rows])
    composer = Composer(now=now)
    built = {}
    for row in rows:
        registration = registrations.get(row.registration_id)
        result = composer.compose(row, registration,
                                  meetings.get(_meeting_id(row, registration)),
                                  campaigns.get(row.campaign_id))
        built[row.id] = result if isinstance(result, Dropped) else as_bytes(result)
    return built


def build_message(row: OutboxMessage, *, now: datetime) -> Message | Dropped:
    """The mail for one row (for previews and tests)."""
    registration = _by_id(Registration, [row.registration_id]).get(row.registration_id)
    meeting_id = _meeting_id(row, registration)
    meeting = _by_id(Meeting, [meeting_id]).get(meeting_id)
    campaign = _by_id(ReminderCampaign, [row.campaign_id]).get(row.campaign_id)
    return Composer(now=now).compose(row, registration, meeting, campaign)
