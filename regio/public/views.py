"""Public pages: the meetings, one meeting, the statements and the health check."""

from __future__ import annotations

from functools import partial

from flask import abort, current_app, jsonify, render_template, send_from_directory
from sqlalchemy import text

from regio.contact import contact_for
from regio.db import RETRY_AFTER_SECONDS, db, utc_now
from regio.i18n import local_today
from regio.meetings.services import get_meeting, public_meetings
from regio.public import bp, pages

GROUP_FROM = 4  # more meetings than this: upcoming first, past ones apart below


@bp.get("/")
def index():
    now = utc_now()
    today = local_today(now)
    shown = public_meetings()
    page = partial(render_template, "public/index.html", meetings=shown, today=today, now=now,
                   upcoming=[m for m in shown if not m.is_past(today)],
                   past=[m for m in shown if m.is_past(today)], grouped=len(shown) > GROUP_FROM)
    return pages.cached("index", shown, page, now=now) if pages.can_keep() else page()


def load_meeting(slug: str):
    meeting = get_meeting(slug) if len(slug) <= 64 else None
    if meeting is None:
        abort(404)
    return meeting


def known_meeting_id(slug: str) -> int:
    """The id of the meeting at `slug`, else 404, asking the database once per slug.

    Meetings are never renamed, so a slug found keeps its id until the meeting is deleted
    (only one nobody registered for can be): the QR images and the registration POST then
    need no look-up. Only what was found is remembered, so a meeting added later is found at
    once; a booking for a deleted meeting says `meeting_gone`, and `forget_meeting_id` drops
    it (another process may have deleted it, so this one learns it from the booking).
    """
    known = current_app.extensions.setdefault("regio.meeting_ids", {})
    if slug not in known:  # at most one entry per meeting: only found slugs are kept
        known[slug] = load_meeting(slug).id
    return known[slug]


def forget_meeting_id(slug: str) -> None:
    current_app.extensions.setdefault("regio.meeting_ids", {}).pop(slug, None)


@bp.app_context_processor
def _contact() -> dict:
    """Every page (error pages too) can name where to go with questions."""
    return {"contact": contact_for(current_app.config)}


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html",
                           retention_days=current_app.config["REGIO_RETENTION_DAYS"],
                           confirm_hours=current_app.config["REGIO_CONFIRM_WITHIN_HOURS"])


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("public/toegankelijkheid.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers and mail clients ask for /favicon.ico whatever the page names."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        return jsonify(status="unavailable"), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    finally:
        db.session.remove()
    return jsonify(status="ok")
