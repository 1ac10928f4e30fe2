"""Calendar downloads: a meeting's item, the feed of all meetings, the personal invite."""

from __future__ import annotations

from email.utils import parseaddr

from flask import Response, abort, current_app
from flask_babel import gettext as _

from regio import invites
from regio.db import utc_now
from regio.meetings.services import list_meetings
from regio.programme.words import day_lines
from regio.public import bp
from regio.public.views import load_meeting
from regio.registrations.models import Status
from regio.registrations.queries import personal_invite_method
from regio.registrations.services import find_by_token, invite_sequence


def _organizer() -> invites.Party:
    config = current_app.config
    return invites.Party(config["REGIO_ORGANIZER_EMAIL"], parseaddr(config["MAIL_FROM"])[0] or None)


def _facts(meeting) -> invites.EventFacts:
    config = current_app.config
    return invites.facts_for(meeting, base_url=config["REGIO_BASE_URL"],
                             timezone=config["REGIO_TIMEZONE"])


def _ics(body: bytes, method: str, filename: str | None) -> Response:
    response = Response(body, content_type=f"text/calendar; charset=utf-8; method={method}")
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _published(meetings) -> list[tuple[invites.EventFacts, str, int]]:
    base_url = current_app.config["REGIO_BASE_URL"]
    return [(_facts(m), invites.meeting_uid(m.id, base_url), m.sequence) for m in meetings]


@bp.get("/bijeenkomsten/<slug>.ics")
def meeting_ics(slug: str):
    meeting = load_meeting(slug)
    body = invites.publish_calendar(_published([meeting]), organizer=_organizer(),
                                    now=utc_now())
    return _ics(body, invites.PUBLISH, f"{meeting.slug}.ics")


@bp.get("/agenda.ics")
def agenda_ics():
    name = _("Regiobijeenkomsten Landelijk OPP Project")
    body = invites.publish_calendar(_published(list_meetings()), organizer=_organizer(),
                                    now=utc_now(), name=name)
    return _ics(body, invites.PUBLISH, None)


@bp.get("/aanmelding/<token>/uitnodiging.ics")
def personal_invite(token: str):
    """The attendee's own item as it stands now: the REQUEST while the place stands, the CANCEL
    once a place that had an invite is gone (so a download never undoes a cancellation).
    404: unknown link, or nothing that was ever in a calendar; 410: the registration was
    erased."""
    _link, registration = find_by_token(token)
    if registration is None:
        abort(404)
    if registration.status == Status.ERASED:
        abort(410)
    method = personal_invite_method(registration)
    if method is None:
        abort(404)
    build = invites.request_invite if method == invites.REQUEST else invites.cancel_invite
    now = utc_now()
    description = f"{current_app.config['REGIO_BASE_URL'].rstrip('/')}/aanmelding/{token}"
    # As the mailed invite has it: the same UID, so a download replaces the calendar item,
    # and without the programme it would drop the person's workshops from it.
    day = day_lines(registration, now=now) if method == invites.REQUEST else None
    if day:
        description += "\n\n" + day
    body = build(
        _facts(registration.meeting), uid=registration.uid,
        sequence=invite_sequence(registration),
        attendee=invites.Party(registration.email, registration.name),
        organizer=_organizer(), now=now, description=description,
    )
    return _ics(body, method, invites.FILENAME)
