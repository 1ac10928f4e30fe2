"""The public site: meeting pages, registration, the personal page, QR codes and calendars."""

from flask import Blueprint

bp = Blueprint("public", __name__)

# Each module attaches its routes to bp.
from regio.public import calendar, links, personal, programme, registration, views  # noqa: E402,F401
