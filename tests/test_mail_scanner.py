"""A mail scanner (Safe Links, Proofpoint, Mimecast) opens every link in every mail Regio
sends before the person does, and follows redirects. It must change nothing."""

from __future__ import annotations

import re
from datetime import time
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from regio.audit import AuditEvent
from regio.db import db, utc_now
from regio.mail.campaigns import send_campaign
from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.meetings.services import MeetingChanges, update_meeting
from regio.registrations import services
from regio.registrations.models import PersonalLink, Registration
from tests.booking_helpers import set_capacity
from tests.conftest import BASE_URL
from tests.test_mail_flow import applicant, send_all

URL_RE = re.compile(r"https?://[^\s\"'<>]+")
HREF_RE = re.compile(r'(?:href|src)="([^"#]+)')


def state() -> dict:
    """Everything a click could change: registrations, links, meetings, audit, outbox."""
    db.session.expire_all()
    registrations = [
        (r.id, r.status, r.meeting_id, r.email_verified_at, r.confirmed_at, r.cancelled_at,
         r.erased_at, r.has_guardian_consent, r.guardian_decision, r.name, r.sequence)
        for r in db.session.execute(select(Registration).order_by(Registration.id)).scalars()]
    links = db.session.execute(select(PersonalLink.id, PersonalLink.first_used_at,
                                      PersonalLink.revoked_at)).all()
    meetings = db.session.execute(select(Meeting.id, Meeting.taken, Meeting.sequence)).all()
    audit = db.session.execute(select(AuditEvent.id)).all()
    outbox = db.session.execute(select(OutboxMessage.id)).all()
    return {"registrations": registrations, "links": sorted(links), "meetings": sorted(meetings),
            "audit": len(audit), "outbox": len(outbox)}


def links_in(message) -> set[str]:
    found = set()
    for part in message.walk():
        if part.get_content_maintype() == "text":
            found.update(URL_RE.findall(part.get_content()))
    return {url.rstrip(".,)") for url in found}


def every_mail_kind(meetings, now):
    """Registrations in every state that mails: held, waiting, young pupil, confirmed (updated,
    reminded, details changed), link again, promoted, cancelled."""
    zwolle = set_capacity(meetings["zwolle"], 3)
    confirmed = services.register(zwolle.id, applicant("ann@school.test"), now=now)
    link, _registration = services.find_by_token(confirmed.token)
    services.confirm_address(link, now=now)
    services.register(zwolle.id, applicant("ann@school.test"), now=now)  # link again
    services.register(zwolle.id, applicant("held@school.test"), now=now)
    services.register(zwolle.id, applicant("pupil@school.test", role="leerling",
                                           is_under_16=True, has_guardian_consent=True,
                                           guardian_email="parent@home.test"), now=now)
    services.register(zwolle.id, applicant("wait@school.test"), now=now)
    db.session.commit()
    update_meeting(zwolle, MeetingChanges(start_time=time(13, 0)), actor="test", now=now)
    send_campaign(zwolle, key="week-voor", role=None, actor="test", now=now, dry_run=False)
    db.session.commit()


def test_opening_every_link_in_every_mail_changes_nothing(app, client, meetings, smtp_server):
    now = utc_now()
    every_mail_kind(meetings, now)
    send_all(smtp_server, now=utc_now())
    kinds = {str(m["Subject"]).split(":")[0] for m in smtp_server.handler.messages}
    assert {"Bevestig uw aanmelding", "Uw persoonlijke link", "Aanmelding bevestigd",
            "U staat op de wachtlijst", "Uw toestemming gevraagd", "Gewijzigd",
            "Herinnering"} <= kinds, kinds
    before = state()

    to_visit = sorted({url for message in smtp_server.handler.messages
                       for url in links_in(message) if url.startswith(BASE_URL)})
    assert any("/aanmelding/" in url for url in to_visit)
    assert any("/toestemming/" in url for url in to_visit)
    seen: set[str] = set()
    # The scanner's own crawl: each mail link, then every link on the pages it lands on.
    for depth in range(2):
        found = []
        for url in to_visit:
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url.removeprefix(BASE_URL), follow_redirects=True)
            assert response.status_code < 500, url
            if depth == 0:
                assert response.status_code == 200, url
            if response.mimetype == "text/html":
                page = response.get_data(as_text=True)
                found += [urljoin(BASE_URL + urlsplit(url).path, href)
                          for href in HREF_RE.findall(page)]
            response.close()
        to_visit = sorted({u for u in found if u.startswith(BASE_URL) and "/beheer" not in u})
    assert len(seen) > 20

    assert state() == before
