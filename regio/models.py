"""Every model, imported in one place so Alembic and the app see the whole schema."""

from regio.accounts.models import Organiser
from regio.audit import AuditEvent
from regio.mail.models import OutboxMessage, ReminderCampaign
from regio.meetings.models import Meeting
from regio.programme.models import ProgrammeItem, WorkshopChoice
from regio.registrations.models import PersonalLink, Registration

__all__ = [
    "AuditEvent",
    "Meeting",
    "Organiser",
    "OutboxMessage",
    "PersonalLink",
    "ProgrammeItem",
    "Registration",
    "ReminderCampaign",
    "WorkshopChoice",
]
