"""Every model, imported in one place so Alembic and the app see the whole schema."""

from regio.accounts.models import AccountToken, Organiser, RecoveryCode
from regio.audit import AuditEvent
from regio.mail.models import OutboxMessage, ReminderCampaign
from regio.meetings.models import Meeting
from regio.programme.models import ProgrammeItem, ProgrammeRound, WorkshopChoice
from regio.registrations import search  # noqa: F401  (keeps the derived name keys)
from regio.registrations.models import PersonalLink, Registration

__all__ = [
    "AccountToken",
    "AuditEvent",
    "Meeting",
    "Organiser",
    "OutboxMessage",
    "PersonalLink",
    "ProgrammeItem",
    "ProgrammeRound",
    "RecoveryCode",
    "Registration",
    "ReminderCampaign",
    "WorkshopChoice",
]
