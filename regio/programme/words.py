"""Who a workshop is for, in words for people."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from regio.i18n import long_moment, time_range
from regio.programme.models import ChoiceStatus
from regio.programme.opening import not_open
from regio.programme.seats import choices_of, programme_of

GROUP_WORDS = {
    "po": _l("po"),
    "vo": _l("vo"),
    "go": _l("go"),
    "ouder": _l("ouders"),
    "leerling": _l("leerlingen"),
}


def for_groups(item) -> str:
    """'voor ouders en leerlingen'; empty for a workshop open to everyone."""
    words = [str(GROUP_WORDS[role]) for role in item.role_list]
    if not words:
        return ""
    listed = words[0] if len(words) == 1 else \
        _("%(first)s en %(last)s", first=", ".join(words[:-1]), last=words[-1])
    return _("voor %(groups)s", groups=listed)


def day_lines(registration, *, now: datetime) -> str | None:
    """The person's own day as plain lines (mail body, invite DESCRIPTION); None without a
    programme. In the language that is active."""
    programme = programme_of(registration.meeting_id)
    if not programme:
        return None
    choices = {choice.round: choice for choice in choices_of(registration.id)}
    closed = not_open(registration.meeting_id, {i.round for i in programme if i.round}, now)
    lines, seen = [], set()
    for item in programme:
        if item.round is None:
            lines.append(_line(item, time_range(item.start_time, item.end_time)))
            continue
        if item.round in seen:
            continue
        seen.add(item.round)
        choice = choices.get(item.round)
        when = time_range(item.start_time, item.end_time)
        if choice is None and item.round in closed:
            lines.append(f"{when}  " + _("Ronde %(round)s: kiezen kan vanaf %(moment)s",
                                         round=item.round,
                                         moment=long_moment(closed[item.round])))
            continue
        if choice is None:
            lines.append(f"{when}  " + _("Ronde %(round)s: nog geen workshop gekozen",
                                         round=item.round))
            continue
        line = _line(choice.workshop, time_range(choice.workshop.start_time,
                                                 choice.workshop.end_time))
        if choice.status == ChoiceStatus.WAITING:
            line += " " + _("(wachtlijst)")
        lines.append(line)
    return "\n".join(lines)


def _line(item, when: str) -> str:
    title = _("Ronde %(round)s: %(title)s", round=item.round, title=item.title) \
        if item.round is not None else item.title
    return f"{when}  {title}" + (f", {item.room}" if item.room else "")


def poster_lines(programme, closed: Mapping[int, datetime] | None = None) -> tuple[str, ...]:
    """The day for a poster: time, title, room, and "vol" for a full workshop; after the
    workshops of a round not open yet (`closed`: round → moment), from when people choose."""
    closed = closed or {}
    last_of_round = {item.round: index for index, item in enumerate(programme)
                     if item.round in closed}
    lines = []
    for index, item in enumerate(programme):
        line = _line(item, time_range(item.start_time, item.end_time))
        if item.round is not None and item.is_full:
            line += " – " + _("vol")
        lines.append(line)
        if last_of_round.get(item.round) == index:
            lines.append(f"{time_range(item.start_time, item.end_time)}  " + _(
                "Ronde %(round)s: kiezen kan vanaf %(moment)s", round=item.round,
                moment=long_moment(closed[item.round])))
    return tuple(lines)
