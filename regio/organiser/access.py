"""Who may open which /beheer page: a logged-in organiser with the right the route names."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, url_for
from flask_login import current_user

from regio.extensions import login_manager


def require(right: str, *, otherwise: str | None = None, enrolment: bool = False):
    """Route decorator: login first, then the right (`checkin`, `manage` or `admin`).

    `otherwise` names an endpoint to send a logged-in user without the right to (door staff
    opening the dashboard land on the check-in page) instead of a 403. When two-factor login
    is required, an account without a second factor is sent to set one up first, except on
    the pages that do that (`enrolment`).
    """

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not enrolment and current_user.needs_second_factor(
                    current_app.config["REGIO_REQUIRE_2FA"]):
                return redirect(url_for("organiser.second_factor"))
            if not current_user.can(right):
                if otherwise and current_user.can("checkin"):
                    return redirect(url_for(otherwise))
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_right = right
        return wrapped

    return decorate


def actor() -> str:
    """How the audit log and the services name the logged-in organiser."""
    return current_user.email
