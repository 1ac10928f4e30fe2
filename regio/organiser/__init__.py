"""The back office for organisers and door staff, under /beheer."""

from flask import Blueprint

bp = Blueprint("organiser", __name__, url_prefix="/beheer")

# Each module attaches its routes to bp.
from regio.organiser import (  # noqa: E402,F401
    accounts,
    attendees,
    audit_log,
    auth,
    checkin,
    dashboard,
    exports,
    meeting_new,
    meetings,
    own_account,
    passwords,
    programme,
    programme_lists,
    reminders,
)
