"""The audit log (admins): who logged in, exported, changed or cancelled what, and when."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from regio.accounts import events as account_events
from regio.audit import AuditEvent
from regio.db import db
from regio.meetings import events as meeting_events
from regio.organiser import bp
from regio.organiser.access import require
from regio.organiser.loading import page_number

PER_PAGE = 50
# The sentences of the events that have one; any other event shows its code.
SENTENCES = {**account_events.SENTENCES, **meeting_events.SENTENCES}


def sentence(event: AuditEvent) -> str:
    text = SENTENCES.get(event.action)
    if text is None:
        return event.action
    role = (event.details or {}).get("role")
    return str(text) % {"actor": event.actor, "subject": event.subject or "",
                        "role": str(account_events.ROLE_WORDS.get(role, role or ""))}


@bp.get("/logboek")
@require("admin")
def audit_log():
    events = db.paginate(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=page_number(request.args.get("pagina")), per_page=PER_PAGE, error_out=False)
    return render_template("organiser/audit_log.html", events=events, sentence=sentence)
