"""The `regio` command: a Flask CLI group bound to the app factory."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from regio.db import db, utc_now
from regio.errors import DomainError
from regio.programme.cli import programme_group


def _create_app():
    from config import ConfigError
    from regio import create_app

    try:
        return create_app()
    except ConfigError as error:  # one clear line, not a traceback
        raise click.ClickException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
def main():
    """Regio: registration for the regional meetings of the Landelijk OPP Project."""


def _meeting_or_exit(slug: str):
    from regio.meetings.services import get_meeting

    meeting = get_meeting(slug)
    if meeting is None:
        raise click.ClickException(f"no meeting with slug {slug!r}")
    return meeting


# The command line's option for a field a domain error names, where the two differ.
OPTION_OF = {"start_time": "start", "end_time": "end", "registration_opens": "opens",
             "registration_closes": "closes", "registration_opens_at": "opens",
             "registration_closes_at": "closes"}


def _option(field: str) -> str:
    return f"--{OPTION_OF.get(field, field)}"


def _fail(error: DomainError):
    from regio.errors import each_error
    from regio.messages import message_for

    db.session.rollback()
    raise click.ClickException("\n".join(
        f"{one.code}{f' {_option(one.field)}' if one.field else ''}: {message_for(one)}"
        for one in each_error(error)))


@click.command("seed")
@click.option("--demo", is_flag=True, help="Move the round forward so every flow can be tried.")
@with_appcontext
def seed_command(demo: bool):
    """Load the four meetings; running it again changes nothing."""
    from regio.i18n import local_today
    from regio.meetings.seed import seed_meetings

    added = seed_meetings(demo=demo, today=local_today())
    db.session.commit()
    for meeting in added:
        click.echo(f"added {meeting.slug} on {meeting.date.isoformat()}")
    if not added:
        click.echo("all meetings present; nothing changed")


@click.group("user")
def user_group():
    """Organisers' accounts."""


ACCOUNT_ERRORS = {
    "bad_email": "not a valid e-mail address",
    "bad_account_role": "role must be admin, organiser or checkin",
    "password_too_short": "the password needs at least 12 characters",
    "password_too_long": "the password may have at most 200 characters",
    "password_common": "this password is too common or too easy to guess: choose another",
}


@user_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "organiser", "checkin"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def user_add(email: str, role: str, password_stdin: bool):
    """Add an organiser account (or reset its password and role)."""
    from regio.accounts.services import save_account
    from regio.errors import AccountError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        account, created = save_account(email, password, role, now=utc_now())
    except AccountError as error:
        raise click.ClickException(f"{error.code}: {ACCOUNT_ERRORS.get(error.code, '')}") from error
    db.session.commit()
    click.echo(f"{'added' if created else 'updated'} {account.email} ({account.role})")


@click.group("meeting")
def meeting_group():
    """Change a meeting."""


@meeting_group.command("update")
@click.argument("slug")
@click.option("--title")
@click.option("--description", help="Shown on the meeting's page; empty to remove.")
@click.option("--date", "day", help="YYYY-MM-DD")
@click.option("--start", help="HH:MM")
@click.option("--end", help="HH:MM")
@click.option("--capacity", type=int)
@click.option("--unlimited", is_flag=True, help="Remove the capacity limit.")
@click.option("--venue")
@click.option("--address")
@click.option("--city")
@click.option("--open/--close", "is_open", default=None)
@click.option("--opens", help='Registration opens: "YYYY-MM-DD HH:MM" local time; empty: now.')
@click.option("--closes", help='Registration closes: "YYYY-MM-DD HH:MM" local time; empty: '
                               "on the meeting's day.")
@click.option("--cancel", is_flag=True, help="Cancel the meeting and mail everyone.")
@with_appcontext
def meeting_update(slug, title, description, day, start, end, capacity, unlimited, venue,
                   address, city, is_open, opens, closes, cancel):
    """Change a meeting; a change of title, time or place queues updated invites."""
    from datetime import date as date_type

    from regio.i18n import meeting_tz
    from regio.meetings.services import MeetingChanges, parse_clock, parse_moment, update_meeting

    meeting = _meeting_or_exit(slug)
    changes = MeetingChanges(cancel=cancel)
    try:
        if title is not None:
            changes.title = title.strip()
        if description is not None:
            changes.description = description.strip() or None
        if city is not None:
            changes.city = city.strip()
        for name, typed in (("registration_opens_at", opens), ("registration_closes_at", closes)):
            if typed is not None:
                setattr(changes, name,
                        parse_moment(typed, name, meeting_tz()) if typed.strip() else None)
        if day is not None:
            try:
                changes.date = date_type.fromisoformat(day)
            except ValueError:
                raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None
        if start is not None:
            changes.start_time = parse_clock(start, "start_time") if start else None
        if end is not None:
            changes.end_time = parse_clock(end, "end_time") if end else None
        if capacity is not None:
            changes.capacity = capacity
        if unlimited:
            changes.capacity = None
        if venue is not None:
            changes.venue = venue
        if address is not None:
            changes.address = address or None
        if is_open is not None:
            changes.is_open = is_open
        result = update_meeting(meeting, changes, actor="cli", now=utc_now())
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"{slug}: changed {', '.join(result.changed) or 'nothing'}; "
               f"{result.invites_queued} updated invites, "
               f"{result.cancellations_queued} cancellations, {result.promoted} promoted")


@meeting_group.command("add")
@click.argument("slug")
@click.option("--title", required=True)
@click.option("--date", "day", required=True, help="YYYY-MM-DD")
@click.option("--venue", required=True)
@click.option("--city", required=True)
@click.option("--start", default="", help="HH:MM")
@click.option("--end", default="", help="HH:MM")
@click.option("--capacity", default="", help="places; leave out for no maximum")
@click.option("--address", default="")
@click.option("--description", default="")
@click.option("--opens", default="", help='Registration opens: "YYYY-MM-DD HH:MM" local time; '
                                          "leave out to open at once.")
@click.option("--closes", default="", help='Registration closes: "YYYY-MM-DD HH:MM" local '
                                           "time; leave out for the meeting's day.")
@with_appcontext
def meeting_add(slug, title, day, venue, city, start, end, capacity, address, description,
                opens, closes):
    """Add a meeting, open for registration (the same checks as the back office)."""
    from regio.i18n import local_today, moment_input
    from regio.meetings.creation import InvalidMeeting, MeetingInput, add_meeting
    from regio.messages import message_for

    given = MeetingInput(slug=slug, title=title, date=day, venue=venue, city=city,
                         start=start, end=end, capacity=capacity, address=address,
                         description=description, registration_opens=opens,
                         registration_closes=closes)
    now = utc_now()
    try:
        meeting = add_meeting(given, actor="cli", today=local_today(now), now=now)
    except InvalidMeeting as invalid:
        db.session.rollback()
        problems = (f"{error.code} {_option(error.field)}: {message_for(error)}"
                    for error in invalid.errors)
        raise click.ClickException("; ".join(problems)) from None
    db.session.commit()
    window = "".join(f"; registration {word} {moment_input(moment).replace('T', ' ')}"
                     for word, moment in (("opens", meeting.registration_opens_at),
                                          ("closes", meeting.registration_closes_at)) if moment)
    click.echo(f"added {meeting.slug}: {meeting.city}, {meeting.date.isoformat()}{window}")


@click.group("registrations")
def registrations_group():
    """Registrations."""


@registrations_group.command("release-expired")
@with_appcontext
def release_expired_command():
    """Release places held for addresses not confirmed in time (for cron)."""
    from regio.registrations.services import release_all_expired

    count = release_all_expired(now=utc_now())
    db.session.commit()
    click.echo(f"released {count} expired holds")


@click.group("mail")
def mail_group():
    """The outbox."""


@mail_group.command("send")
@click.option("--once", is_flag=True, help="Drain the outbox and exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@with_appcontext
def mail_send(once: bool, interval: float):
    """Send queued mail over MAIL_URL (loops until stopped)."""
    from regio.mail.sender import run_sender

    sent = run_sender(once=once, interval=interval, echo=click.echo)
    if once:
        click.echo(f"sent {sent} messages")


@click.group("reminders")
def reminders_group():
    """Reminder invites."""


@reminders_group.command("send")
@click.argument("slug")
@click.option("--role", type=click.Choice(["po", "vo", "go", "ouder", "leerling"]))
@click.option("--campaign", "key", help="Campaign key; the same key reaches each person once.")
@click.option("--dry-run", is_flag=True, help="Only list who would get it.")
@with_appcontext
def reminders_send(slug: str, role: str | None, key: str | None, dry_run: bool):
    """Queue a reminder invite to every confirmed attendee (optionally of one role)."""
    from regio.mail.campaigns import send_campaign

    meeting = _meeting_or_exit(slug)
    try:
        result = send_campaign(meeting, key=key, role=role, actor="cli", now=utc_now(),
                               dry_run=dry_run)
    except DomainError as error:
        _fail(error)
    if dry_run:
        db.session.rollback()
        for registration in result.recipients:
            click.echo(f"{registration.email}\t{registration.role}\t{registration.name}")
        click.echo(f"{len(result.recipients)} would get the reminder")
        return
    db.session.commit()
    click.echo(f"campaign {result.key}: {result.queued} reminders queued, "
               f"{result.skipped} already had it")


@reminders_group.command("send-due")
@with_appcontext
def reminders_send_due():
    """Queue the scheduled reminders that are due (for cron; safe to run often)."""
    from regio.mail.campaigns import queue_due_reminders

    count = queue_due_reminders(now=utc_now())
    db.session.commit()
    click.echo(f"{count} reminders queued")


@click.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--rol", "role", type=click.Choice(["po", "vo", "go", "ouder", "leerling"]))
@click.option("--status")
@with_appcontext
def export_command(slug: str, fmt: str, output: str, role: str | None, status: str | None):
    """Write the attendance list of a meeting to a file."""
    from regio.exports import write_export

    meeting = _meeting_or_exit(slug)
    try:
        with open(output, "wb") as handle:
            rows = write_export(meeting, fmt, handle, role=role, status=status,
                                actor="cli", now=utc_now())
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"wrote {rows} rows to {output}")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
@with_appcontext
def purge_command(dry_run: bool):
    """Erase the personal data of meetings past their retention period."""
    from regio.registrations.retention import purge

    report = purge(now=utc_now(), retention_days=current_app.config["REGIO_RETENTION_DAYS"],
                   dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would erase" if dry_run else "erased"
    click.echo(f"{verb} {report.erased} registrations; needs cleared on {report.needs_cleared}")


COMMANDS = (seed_command, user_group, meeting_group, registrations_group, mail_group,
            reminders_group, export_command, purge_command, programme_group)


def register_commands(app) -> None:
    from regio.cli_backup import BACKUP_COMMANDS

    for command in (*COMMANDS, *BACKUP_COMMANDS):
        app.cli.add_command(command)
