"""Reminder campaigns for a meeting: compose, preview, send, follow up, retry failures."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from regio.db import begin_write, db, utc_now
from regio.errors import DomainError
from regio.mail.models import OutboxMessage, OutboxState, ReminderCampaign
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.forms import ActionForm, CampaignForm, attach_error
from regio.organiser.loading import load_meeting
from regio.registrations.models import Registration
from regio.registrations.services import invite_sequence

PREVIEW_TOKEN = "voorbeeld"  # stands in for the recipient's own personal link


def campaign_history(meeting: Meeting) -> list[tuple[ReminderCampaign, dict]]:
    from regio.mail.campaigns import campaign_stats

    campaigns = db.session.execute(
        select(ReminderCampaign).where(ReminderCampaign.meeting_id == meeting.id)
        .order_by(ReminderCampaign.created_at.desc(), ReminderCampaign.id.desc())
    ).scalars()
    return [(campaign, campaign_stats(campaign)) for campaign in campaigns]


def failed_mails(meeting: Meeting) -> list[OutboxMessage]:
    """Every failed mail about this meeting: reminders, confirmations, updates, notices."""
    return list(db.session.execute(
        select(OutboxMessage)
        .outerjoin(ReminderCampaign, OutboxMessage.campaign_id == ReminderCampaign.id)
        .outerjoin(Registration, OutboxMessage.registration_id == Registration.id)
        .where(or_(ReminderCampaign.meeting_id == meeting.id,
                   Registration.meeting_id == meeting.id),
               OutboxMessage.state == OutboxState.FAILED)
        .order_by(OutboxMessage.id).limit(200)
    ).scalars())


def _meeting_of(message: OutboxMessage) -> int | None:
    """The meeting a mail is about: its campaign's, or its registration's."""
    owner = (db.session.get(ReminderCampaign, message.campaign_id)
             if message.campaign_id is not None else
             db.session.get(Registration, message.registration_id)
             if message.registration_id is not None else None)
    return owner.meeting_id if owner is not None else None


def preview(registration: Registration, campaign: ReminderCampaign, *, now):
    """The reminder as this recipient would get it, built by the mail composer itself.

    `campaign` may be one made for the preview only: the caller rolls back afterwards."""
    from regio.mail.messages import Dropped, build_message

    row = OutboxMessage(
        kind=Kind.REMINDER, recipient=registration.email, registration_id=registration.id,
        campaign_id=campaign.id,
        payload={"token": PREVIEW_TOKEN, "uid": registration.uid,
                 "sequence": invite_sequence(registration),
                 "meeting_id": registration.meeting_id},
        message_id="<voorbeeld@regio>", created_at=now)
    message = build_message(row, now=now)
    if isinstance(message, Dropped):
        return None
    return {"subject": message["Subject"], "to": message["To"],
            "text": message.get_body(preferencelist=("plain",)).get_content()}


def _text(form: CampaignForm) -> dict:
    return {"subject": form.subject.data or None, "message": form.message.data or None}


def _page(meeting: Meeting, form: CampaignForm, status: int = 200):
    return render_template(
        "organiser/reminders.html", meeting=meeting, form=form,
        history=campaign_history(meeting), failed=failed_mails(meeting),
        action=ActionForm()), status


@bp.get("/bijeenkomsten/<slug>/herinneringen")
@require("manage")
def reminders(slug: str):
    return _page(load_meeting(slug), CampaignForm(formdata=None))


@bp.post("/bijeenkomsten/<slug>/herinneringen/voorbeeld")
@require("manage")
def reminders_preview(slug: str):
    from regio.mail.campaigns import send_campaign

    meeting = load_meeting(slug)
    form = CampaignForm()
    if not form.validate_on_submit():
        return _page(meeting, form)
    now = utc_now()
    try:
        result = send_campaign(meeting, key=form.key.data or None, role=form.role.data or None,
                               actor=actor(), now=now, dry_run=True, **_text(form))
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _page(meeting, form)
    example = None
    if result.recipients:
        from regio.mail.campaigns import new_campaign

        campaign = result.campaign or new_campaign(meeting, result.key, form.role.data or None,
                                                   actor=actor(), now=now, **_text(form))
        example = preview(result.recipients[0], campaign, now=now)
    db.session.rollback()
    return render_template("organiser/reminders_preview.html", meeting=meeting, form=form,
                           count=len(result.recipients), skipped=result.skipped,
                           example=example)


@bp.post("/bijeenkomsten/<slug>/herinneringen")
@require("manage")
def reminders_send(slug: str):
    from regio.mail.campaigns import send_campaign

    meeting = load_meeting(slug)
    form = CampaignForm()
    if not form.validate_on_submit():
        return _page(meeting, form)
    begin_write()
    try:
        result = send_campaign(meeting, key=form.key.data or None, role=form.role.data or None,
                               actor=actor(), now=utc_now(), dry_run=False, **_text(form))
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _page(meeting, form)
    db.session.commit()
    flash(_("Campagne %(key)s: %(queued)s herinneringen klaargezet om te versturen, "
            "%(skipped)s mensen hadden hem al.", key=result.key, queued=result.queued,
            skipped=result.skipped), "success")
    return redirect(url_for("organiser.reminders", slug=meeting.slug))


@bp.post("/bijeenkomsten/<slug>/herinneringen/mail/<int:message_id>/opnieuw")
@require("manage")
def reminders_retry(slug: str, message_id: int):
    from regio.mail.campaigns import retry_failed

    meeting = load_meeting(slug)
    back = redirect(url_for("organiser.reminders", slug=meeting.slug))
    if not ActionForm().validate_on_submit():
        return back
    begin_write()
    message = db.session.get(OutboxMessage, message_id)
    if message is None or _meeting_of(message) != meeting.id:
        db.session.rollback()
        flash(_("Deze e-mail bestaat niet."), "error")
        return back
    try:
        retry_failed(message.id, now=utc_now(), actor=actor())
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return back
    db.session.commit()
    flash(_("De e-mail aan %(address)s wordt opnieuw verstuurd.", address=message.recipient),
          "success")
    return back
