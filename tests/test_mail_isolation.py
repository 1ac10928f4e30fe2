"""One address cannot stop other people's mail: each message that cannot be built or is
refused fails alone, with its own reason in Dutch, and can be sent again once fixed."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select, update

from regio.db import db
from regio.labels import mail_failure_reason as describe
from regio.mail import outbox
from regio.mail.models import OutboxMessage, OutboxState
from regio.registrations import services
from regio.registrations.models import Registration
from tests.conftest import csrf_token
from tests.organiser_support import fresh
from tests.test_mail_flow import applicant, send_all

GOOD = [f"person{n:02d}@school.test" for n in range(46)] + ["jan@bücher.example"]


def row_for(address: str) -> OutboxMessage:
    return db.session.execute(
        select(OutboxMessage).where(OutboxMessage.recipient == address)).scalar_one()


def test_bad_messages_fail_alone_and_the_47_good_ones_arrive(app, meetings, smtp_server, now):
    zwolle = meetings["zwolle"]
    for address in [*GOOD[:20], "nobody@school.test", "ue-probe@school.test", *GOOD[20:]]:
        services.register(zwolle.id, applicant(address), now=now)
    # An address stored before the form refused a non-ASCII local part.
    db.session.execute(update(Registration).where(Registration.email == "ue-probe@school.test")
                       .values(email="ü-probe@school.test"))
    db.session.execute(update(OutboxMessage)
                       .where(OutboxMessage.recipient == "ue-probe@school.test")
                       .values(recipient="ü-probe@school.test"))
    # A mail about a meeting that no longer exists.
    moved = services.register(meetings["rotterdam"].id, applicant("moved@school.test"), now=now)
    outbox.enqueue(outbox.Kind.MOVED, key="moved:gone", recipient="moved@school.test", now=now,
                   registration=moved.registration, payload={"meeting_id": 987654})
    db.session.commit()
    smtp_server.handler.refused.add("nobody@school.test")

    sent = send_all(smtp_server, now=now)

    delivered = {rcpt for envelope in smtp_server.handler.envelopes
                 for rcpt in envelope.rcpt_tos}
    assert "jan@xn--bcher-kva.example" in delivered  # an IDN domain goes out in IDNA
    assert len(delivered & {*GOOD[:46], "jan@xn--bcher-kva.example"}) == 47
    assert sent == 48  # the 47 and Rotterdam's own confirmation
    with force_locale("nl"):
        refused, not_ascii = row_for("nobody@school.test"), row_for("ü-probe@school.test")
        gone = db.session.execute(select(OutboxMessage).where(
            OutboxMessage.idempotency_key == "moved:gone")).scalar_one()
        assert [r.state for r in (refused, not_ascii, gone)] == [OutboxState.FAILED] * 3
        assert "bestaat niet" in describe(refused.last_error)  # 550 5.1.1
        assert "accenten vóór de @" in describe(not_ascii.last_error)
        assert "bestaat niet meer" in describe(gone.last_error)


def test_the_form_refuses_a_non_ascii_local_part_beside_the_field(client, meetings):
    token = csrf_token(client, "/bijeenkomsten/zwolle")
    form = {"csrf_token": token, "name": "Ümit Öz", "role": "po", "consent": "y"}
    refused = client.post("/bijeenkomsten/zwolle", data={**form, "email": "ümit@school.nl"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="email-error"' in page and "zonder accenten" in page
    accepted = client.post("/bijeenkomsten/zwolle", data={**form, "email": "umit@bücher.nl"})
    assert accepted.status_code == 303


def test_an_organiser_corrects_the_address_and_sends_the_failed_mail_again(
        app, organiser, meetings, smtp_server, now):
    typo = "typo@schoool.example.org"
    outcome = services.register(meetings["zwolle"].id, applicant(typo), now=now)
    db.session.commit()
    smtp_server.handler.refused.add("typo@schoool.example.org")
    assert send_all(smtp_server, now=now) == 0
    registration_id = outcome.registration.id

    listed = organiser.get("/beheer/bijeenkomsten/zwolle/herinneringen").get_data(as_text=True)
    assert "typo@schoool.example.org" in listed and "bestaat niet" in listed
    token = csrf_token(organiser, f"/beheer/aanmeldingen/{registration_id}")
    bad = organiser.post(f"/beheer/aanmeldingen/{registration_id}/e-mailadres",
                         data={"csrf_token": token, "email": "geen adres"})
    assert bad.status_code == 400 and "geldig e-mailadres" in bad.get_data(as_text=True)
    fixed = organiser.post(f"/beheer/aanmeldingen/{registration_id}/e-mailadres",
                           data={"csrf_token": token, "email": "typo@school.example.org"})
    assert fixed.status_code == 302
    fresh()
    failed = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.state == OutboxState.FAILED)).scalar_one()
    retried = organiser.post(
        f"/beheer/bijeenkomsten/zwolle/herinneringen/mail/{failed.id}/opnieuw",
        data={"csrf_token": token})
    assert retried.status_code == 302
    fresh()
    assert send_all(smtp_server, now=now + timedelta(minutes=1)) == 1
    assert smtp_server.handler.envelopes[-1].rcpt_tos == ["typo@school.example.org"]


def test_an_address_another_registration_has_is_refused(app, organiser, meetings, now):
    first = services.register(meetings["zwolle"].id, applicant("een@school.test"), now=now)
    services.register(meetings["zwolle"].id, applicant("twee@school.example.org"), now=now)
    db.session.commit()
    url = f"/beheer/aanmeldingen/{first.registration.id}"
    response = organiser.post(f"{url}/e-mailadres", data={
        "csrf_token": csrf_token(organiser, url), "email": "twee@school.example.org"})
    assert response.status_code == 400
    assert "al aangemeld" in response.get_data(as_text=True)
