"""The public site: meeting pages, registration, the personal page, QR codes and calendars."""

from flask import Blueprint

bp = Blueprint("public", __name__)

# Each module attaches its routes to bp.
from regio.public import (  # noqa: E402,F401
    calendar,
    consent,
    links,
    personal,
    programme,
    registration,
    tickets,
    views,
)
