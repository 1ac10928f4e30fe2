"""Registering for a meeting together with a workshop per round."""

from __future__ import annotations

from datetime import datetime

from regio.programme import seats
from regio.registrations.services import Applicant, Outcome, register


def register_with_programme(meeting_id: int, applicant: Applicant, picks: dict[int, int], *,
                            now: datetime) -> Outcome:
    """Register as `register` does, then take (or wait for) the picked workshops.

    `register` locks the meeting first (its TAKE_PLACE, or `lock_row`), and the workshops are
    locked after it in id order: the one lock order of every booking, so none deadlocks.
    Without picks (a meeting without workshop rounds) this is `register`, fast path and all.
    """
    outcome = register(meeting_id, applicant, now=now)
    if outcome.created and picks:
        seats.book_choices(meeting_id, outcome.registration_id, applicant.role, picks,
                           placed=outcome.placed, now=now)
    return outcome
