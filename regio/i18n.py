"""Language choice and the Dutch (or English) way of writing dates and times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from regio.meetings.seed import TITLE

LANG_COOKIE = "regio_lang"


def select_locale() -> Locale:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return _parsed(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    return _parsed(chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=8)
def _parsed(name: str) -> Locale:
    # Flask-Babel parses the selector's answer on every request, and parsing a name looks the
    # locale's data files up on disk each time; a Locale given is taken as it is.
    return Locale.parse(name)


def meeting_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["REGIO_TIMEZONE"])


def local_today(now: datetime | None = None) -> date:
    """The date in the meetings' time zone at `now` (an aware datetime; default: this moment)."""
    return (now or datetime.now(UTC)).astimezone(meeting_tz()).date()


def long_date(value: date) -> str:
    """'donderdag 4 april 2024' (Dutch writes weekdays and months in lower case)."""
    return format_date(value, "EEEE d MMMM y")


def clock(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def time_range(start: time | None, end: time | None) -> str:
    if start is None:
        return _("tijd volgt")
    if end is None:
        return _("vanaf %(start)s", start=clock(start))
    return f"{clock(start)}–{clock(end)}"


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(meeting_tz())
    return f"{format_date(local.date(), 'd MMM y')} {local:%H:%M}"


def long_moment(value: datetime | None) -> str:
    """'maandag 3 maart 2025 om 09:00', in the meetings' time zone."""
    if value is None:
        return ""
    local = value.astimezone(meeting_tz())
    return _("%(date)s om %(time)s", date=long_date(local.date()), time=f"{local:%H:%M}")


def moment_input(value: datetime | None) -> str:
    """A moment as a form shows it: local time, '2025-03-03T09:00' (HTML datetime-local)."""
    if value is None:
        return ""
    return f"{value.astimezone(meeting_tz()):%Y-%m-%dT%H:%M}"


def own_title(meeting) -> str | None:
    """The title an organiser typed for the meeting, or None for the round's standard one."""
    if meeting.title and meeting.title != TITLE.format(city=meeting.city):
        return meeting.title
    return None


def meeting_title(meeting) -> str:
    """The meeting's name in the reader's language: the round's standard title (stored in
    Dutch) translated, a title an organiser typed for another meeting as typed."""
    return own_title(meeting) or _("Regiobijeenkomst Landelijk OPP Project – %(city)s",
                                   city=meeting.city)


def register(app: Flask) -> None:
    from regio import labels

    labels.register(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["long_moment"] = long_moment
    app.jinja_env.globals["time_range"] = time_range
    app.jinja_env.globals["meeting_title"] = meeting_title
    app.jinja_env.globals["own_title"] = own_title

    @app.context_processor
    def _language():
        return {"current_locale": str(get_locale() or "nl")}

    @app.after_request
    def _remember_language(response):
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"]:
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="Lax",
                                secure=app.config.get("SESSION_COOKIE_SECURE", False))
        return response
