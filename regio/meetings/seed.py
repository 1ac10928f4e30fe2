"""The four meetings of the 2024 round, as the ministry announced them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from regio.db import db
from regio.meetings.models import Meeting

# Facts from the announcement; times, addresses and capacity were not announced and stay empty.
ROUND_2024 = (
    ("oostzaan", date(2024, 4, 4), "Van der Valk Oostzaan Amsterdam", "Oostzaan"),
    ("zwolle", date(2024, 4, 10), "De Nieuwe Buitensociëteit", "Zwolle"),
    ("den-bosch", date(2024, 4, 18), "Golden Tulip Hotel Central", "Den Bosch"),
    ("rotterdam", date(2024, 4, 22), "Lommerijk", "Rotterdam"),
)
TITLE = "Regiobijeenkomst Landelijk OPP Project – {city}"
# `seed --demo` gives one meeting a few places, so a newcomer can watch the waiting list work;
# the plain seed stays faithful to the announcement, which names no capacity.
DEMO_CAPACITY = {"den-bosch": 3}


def demo_shift(first: date, today: date, lead_days: int = 14) -> timedelta:
    """Whole weeks to add so the first meeting is at least `lead_days` after `today`."""
    weeks = 0
    while first + timedelta(weeks=weeks) < today + timedelta(days=lead_days):
        weeks += 1
    return timedelta(weeks=weeks)


def seed_meetings(*, demo: bool, today: date) -> list[Meeting]:
    """Add the meetings that are missing; existing ones are left exactly as they are.

    `demo` moves the round ahead (`demo_shift`) and gives one meeting a small capacity."""
    shift = demo_shift(ROUND_2024[0][1], today) if demo else timedelta(0)
    existing = {m.slug: m for m in db.session.execute(select(Meeting)).scalars()}
    added = []
    for slug, day, venue, city in ROUND_2024:
        if slug in existing:
            continue
        meeting = Meeting(slug=slug, title=TITLE.format(city=city), date=day + shift,
                          venue=venue, city=city,
                          capacity=DEMO_CAPACITY.get(slug) if demo else None)
        db.session.add(meeting)
        added.append(meeting)
    db.session.flush()
    return added
