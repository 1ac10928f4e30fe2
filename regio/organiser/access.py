"""Who may open which /beheer page: a logged-in organiser with the right the route names."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from regio.extensions import login_manager


def require(right: str):
    """Route decorator: login first, then the right (`checkin`, `manage` or `admin`)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(right):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_right = right
        return wrapped

    return decorate
