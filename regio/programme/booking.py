"""Registering for a meeting together with a workshop per round."""

from __future__ import annotations

from datetime import datetime

from regio.programme import opening, seats
from regio.programme.models import ProgrammeItem
from regio.registrations.services import Applicant, Outcome, register


def register_with_programme(meeting_id: int, applicant: Applicant, picks: dict[int, int], *,
                            now: datetime,
                            rounds: dict[int, list[ProgrammeItem]] | None = None) -> Outcome:
    """Register as `register` does, then take (or wait for) the picked workshops.

    `register` locks the meeting first (its TAKE_PLACE, or `lock_row`), and the workshops are
    locked after it in id order: the one lock order of every booking, so none deadlocks.
    Without rounds (a meeting without workshops) this is `register`, fast path and all.
    `rounds` is the programme the picks were made from (the form read it): the rounds open
    for choices; read here if not given. Picks are checked against it before anything is
    written. A pick for any other round, such as one that is not open yet, is left out: the
    person chooses there on their personal page once it opens.
    """
    if rounds is None:
        rounds, _closed = opening.split(
            meeting_id, seats.rounds_of(seats.programme_of(meeting_id)), now)
    seats.check_picks(rounds, picks, applicant.role)
    outcome = register(meeting_id, applicant, now=now)
    if outcome.created and rounds:
        seats.book_choices(meeting_id, outcome.registration_id, applicant.role,
                           {number: picks[number] for number in rounds},
                           placed=outcome.placed, now=now)
    return outcome
