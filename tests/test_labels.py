"""Words for people: every code an organiser can see has a Dutch and an English label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from regio import labels
from regio.audit import AuditEvent
from regio.mail.models import OutboxState
from regio.mail.outbox import Kind
from regio.meetings.models import MeetingStatus
from regio.registrations.models import ROLES, Status

SOURCES = Path(__file__).resolve().parent.parent / "regio"
RECORDED = re.compile(r'audit\.record\(\s*[^,]+,\s*(?:"([^"]+)"|([^,]+ if [^,]+ else [^,]+))')


def recorded_codes() -> set[str]:
    codes = set()
    for path in SOURCES.rglob("*.py"):
        for match in RECORDED.finditer(path.read_text(encoding="utf-8")):
            codes.update(re.findall(r'"([^"]+)"', match.group(0).split(",", 1)[1]))
    return codes


def test_every_recorded_audit_event_has_a_sentence():
    codes = recorded_codes()
    assert {"export", "registration.move", "registration.check_in"} <= codes
    assert codes - set(labels.AUDIT_SENTENCES) == set()


@pytest.mark.parametrize(("table", "codes"), [
    (labels.ROLE_LABELS, ROLES), (labels.STATUS_LABELS, Status.ALL),
    (labels.MAIL_KIND_LABELS, Kind.ALL),
    (labels.MAIL_STATE_LABELS, [v for k, v in vars(OutboxState).items() if k.isupper()]),
])
def test_every_code_has_a_label_in_both_languages(app, table, codes):
    for code in codes:
        with force_locale("nl"):
            dutch = str(table[code])
        with force_locale("en"):
            english = str(table[code])
        assert dutch and english and english != dutch, code


def test_audit_sentences_fill_in_their_details(app):
    export = AuditEvent(actor="ann@ocw.nl", action="export", subject="zwolle",
                        details={"format": "pdf", "rows": 12, "role": "ouder", "status": None})
    update = AuditEvent(actor="ann@ocw.nl", action="meeting.update", subject="zwolle",
                        details={"changed": ["start_time", "venue"], "invites": 52,
                                 "cancellations": 0})
    cities = {"zwolle": "Zwolle"}
    with force_locale("nl"):
        assert labels.audit_sentence(export, people={}, cities=cities) == (
            "presentielijst (PDF) van Zwolle gedownload (12 rijen; rol: ouder) door ann@ocw.nl")
        assert labels.audit_sentence(update, people={}, cities=cities) == (
            "Bijeenkomst Zwolle gewijzigd (begintijd, locatie) door ann@ocw.nl; 52 bijgewerkte "
            "uitnodigingen, 0 annuleringen")
    with force_locale("en"):
        assert labels.audit_sentence(update, people={}, cities=cities).startswith(
            "Meeting Zwolle changed (start time, venue) by ann@ocw.nl")


def test_every_meeting_status_has_a_label_in_both_languages(app):
    codes = [value for name, value in vars(MeetingStatus).items() if name.isupper()]
    assert set(codes) == set(labels.MEETING_STATUS_LABELS)
    for code in codes:
        with force_locale("nl"):
            dutch = labels.meeting_status_label(code)
        with force_locale("en"):
            english = labels.meeting_status_label(code)
        assert dutch and english and (english != dutch or code == "open"), code
    with force_locale("en"):
        assert labels.meeting_status_label(MeetingStatus.NOT_YET_OPEN) == "not open yet"


def test_a_window_change_reads_as_words_in_the_log(app):
    event = AuditEvent(actor="ann@ocw.nl", action="meeting.update", subject="zwolle",
                       details={"changed": ["title", "registration_opens_at",
                                            "registration_closes_at", "description"],
                                "invites": 3, "cancellations": 0})
    with force_locale("nl"):
        assert labels.audit_sentence(event, people={}, cities={"zwolle": "Zwolle"}) == (
            "Bijeenkomst Zwolle gewijzigd (titel, aanmelden vanaf, aanmelden tot, beschrijving) "
            "door ann@ocw.nl; 3 bijgewerkte uitnodigingen, 0 annuleringen")


def test_an_event_of_a_person_who_was_erased_says_so(app):
    event = AuditEvent(actor="ann@ocw.nl", action="registration.cancel", subject="zwolle",
                       details={"registration": 7})
    with force_locale("nl"):
        assert labels.audit_sentence(event, people={}, cities={}) == (
            "(verwijderd) afgemeld voor zwolle door ann@ocw.nl")


@pytest.mark.parametrize(("error", "code"), [
    ("550 5.1.1 <anna@school.nl>: Recipient address rejected: User unknown", "no_such_address"),
    ("550 mailbox unknown", "no_such_address"),
    ("552 5.2.2 Mailbox full", "mailbox_full"),
    ("554 5.7.1 Message rejected as spam", "refused_as_spam"),
    ("553 5.3.0 relaying denied", "refused"),
    ("451 4.7.1 Greylisted, try again", "temporary"),
    ("TimeoutError: timed out", "no_connection"),
    ("ConnectionRefusedError: [Errno 111] Connection refused", "no_connection"),
    ("could not build: KeyError('token')", "not_built"),
    ("something odd", "unknown"),
    (None, None),
])
def test_failed_mails_get_a_reason_in_words(app, error, code):
    assert labels.failure_code(error) == code
    with force_locale("nl"):
        reason = labels.mail_failure_reason(error)
    assert (reason == "") if code is None else reason.endswith(".")
