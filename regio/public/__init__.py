"""The public site: meeting pages, registration and the personal page."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from regio.public import views  # noqa: E402,F401  (views attach their routes to bp)
