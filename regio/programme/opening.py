"""When people can choose in a workshop round. An organiser may announce a round's workshops
before choosing opens (`ProgrammeRound.opens_at`); a round without that setting, or with its
moment passed, is open. Setting it is `regio.programme.services.set_opening`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from regio.db import db
from regio.meetings.models import Meeting
from regio.programme.models import ProgrammeItem, ProgrammeRound

MEMO_SIZE = 256  # meetings whose openings one process keeps (a few bytes each)


def openings(meeting_id: int) -> dict[int, datetime]:
    """Round number → the moment choosing opens, for the rounds that have one set."""
    rows = db.session.execute(
        select(ProgrammeRound.number, ProgrammeRound.opens_at)
        .where(ProgrammeRound.meeting_id == meeting_id, ProgrammeRound.opens_at.is_not(None)))
    return {number: opens_at for number, opens_at in rows}


def not_open(meeting_id: int, numbers: Iterable[int], now: datetime,
             known: Mapping[int, datetime] | None = None) -> dict[int, datetime]:
    """Of the rounds `numbers`, those not open at `now`, with the moment each opens.

    `known` is `openings(meeting_id)` when the caller has it; without rounds (a meeting
    without workshops) nothing is asked of the database.
    """
    numbers = set(numbers)
    if not numbers:
        return {}
    if known is None:
        known = openings(meeting_id)
    return {number: at for number, at in known.items() if number in numbers and at > now}


def split(meeting_id: int, rounds: dict[int, list[ProgrammeItem]], now: datetime,
          known: Mapping[int, datetime] | None = None
          ) -> tuple[dict[int, list[ProgrammeItem]], dict[int, datetime]]:
    """The rounds open for choices at `now`, and the others with the moment each opens."""
    closed = not_open(meeting_id, rounds, now, known)
    return {n: w for n, w in rounds.items() if n not in closed}, closed


def kept_openings(meeting: Meeting) -> dict[int, datetime]:
    """`openings` for the kept landing page, asked of the database once per state of the
    meeting's row: every change of an opening touches that row (`set_opening`), as the page
    cache's key relies on too, so a page served from that cache costs no query here."""
    memo = current_app.extensions.setdefault("regio.round_openings", {})
    key = (meeting.id, meeting.updated_at)
    if key not in memo:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = openings(meeting.id)
    return memo[key]


def closed_phase(known: Mapping[int, datetime], now: datetime) -> tuple[int, ...]:
    """The rounds not open yet at `now`: part of the kept page's key, so that the page
    changes at the minute a round opens, though no row changes then."""
    return tuple(sorted(number for number, at in known.items() if at > now))
