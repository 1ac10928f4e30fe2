"""`regio programme add|list|round`: a meeting's programme from the command line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from regio.db import db, utc_now
from regio.errors import DomainError


@click.group("programme")
def programme_group():
    """The programme of a meeting: plenary items and workshops in rounds."""


@programme_group.command("add")
@click.argument("meeting")
@click.option("--title", required=True)
@click.option("--start", required=True, help="HH:MM")
@click.option("--end", required=True, help="HH:MM")
@click.option("--round", "number", type=int, help="Workshop round; without it: plenary.")
@click.option("--capacity", type=int, help="Places in the workshop; without it: no limit.")
@click.option("--roles", help="Only for these roles, e.g. ouder,leerling.")
@click.option("--room")
@click.option("--speaker")
@click.option("--description")
@with_appcontext
def programme_add(meeting, title, start, end, number, capacity, roles, room, speaker,
                  description):
    """Add a plenary item, or with --round a workshop."""
    from regio.cli import _fail, _meeting_or_exit
    from regio.meetings.services import parse_clock
    from regio.programme.services import ItemFields, add_item, parse_roles

    found = _meeting_or_exit(meeting)
    try:
        fields = ItemFields(
            title=title, start_time=parse_clock(start, "start_time"),
            end_time=parse_clock(end, "end_time"), round=number, capacity=capacity,
            roles=parse_roles(roles), room=room, speaker=speaker, description=description)
        item = add_item(found, fields, actor="cli", now=utc_now())
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"added {item.id}: {_line(item)}")


@programme_group.command("list")
@click.argument("meeting")
@with_appcontext
def programme_list(meeting):
    """The programme in the order of the day, with places taken per workshop."""
    from regio.cli import _meeting_or_exit
    from regio.programme.opening import not_open
    from regio.programme.seats import programme_of

    found = _meeting_or_exit(meeting)
    items = programme_of(found.id)
    for item in items:
        click.echo(f"{item.id:>5}  {_line(item)}")
    if not items:
        click.echo("no programme yet")
    tz = ZoneInfo(current_app.config["REGIO_TIMEZONE"])
    for number, opens_at in sorted(not_open(found.id, {i.round for i in items if i.round},
                                            utc_now()).items()):
        click.echo(f"round {number}: choosing opens {opens_at.astimezone(tz):%Y-%m-%d %H:%M}")


@programme_group.command("round")
@click.argument("meeting")
@click.argument("number", type=int)
@click.option("--opens", help='"YYYY-MM-DD HH:MM", local time: choosing opens then.')
@click.option("--open-now", is_flag=True, help="Choosing is open from now on.")
@with_appcontext
def programme_round(meeting, number, opens, open_now):
    """When people can choose a workshop in round NUMBER; without options: say when."""
    from regio.cli import _fail, _meeting_or_exit
    from regio.meetings.services import parse_moment
    from regio.programme.opening import openings
    from regio.programme.services import set_opening

    found = _meeting_or_exit(meeting)
    tz = ZoneInfo(current_app.config["REGIO_TIMEZONE"])
    if opens and open_now:
        raise click.UsageError("give --opens or --open-now, not both")
    if opens or open_now:
        try:
            opens_at = parse_moment(opens, "opens", tz) if opens else None
            changed = set_opening(found, number, opens_at, tz=tz, actor="cli", now=utc_now())
        except DomainError as error:
            _fail(error)
        db.session.commit()
        if not changed:
            click.echo("nothing changed")
    opens_at = openings(found.id).get(number)
    if opens_at is None or opens_at <= utc_now():
        click.echo(f"round {number}: open for choices")
    else:
        click.echo(f"round {number}: choosing opens {opens_at.astimezone(tz):%Y-%m-%d %H:%M}"
                   f" ({tz.key})")


def _line(item) -> str:
    clock = f"{item.start_time:%H:%M}-{item.end_time:%H:%M}"
    kind = f"round {item.round}" if item.round is not None else "plenary"
    parts = [clock, kind, item.title]
    if item.room:
        parts.append(f"room {item.room}")
    if item.round is not None:
        parts.append(f"{item.taken}/{item.capacity if item.capacity is not None else '-'} taken")
        if item.roles:
            parts.append(f"for {item.roles}")
    return "  ".join(parts)
