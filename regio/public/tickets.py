"""What the ticket QR encodes: /t/<ticket-token>, a page for the holder and for the door.

Anyone who scans a ticket (the holder's own phone camera, a parent checking it) sees whose
ticket it is for which meeting, with the first name only; a logged-in organiser or door user
goes straight on to the check-in page, which stays behind login.
"""

from __future__ import annotations

from flask import Response, abort, make_response, redirect, render_template, url_for
from flask_login import current_user

from regio import qr
from regio.public import bp
from regio.public.links import absolute
from regio.registrations.tickets import find_by_ticket


def first_name(name: str | None) -> str:
    return (name or "").split(maxsplit=1)[0] if name else ""


@bp.get("/t/<ticket_token>")
def ticket(ticket_token: str):
    holder = find_by_ticket(ticket_token)
    if holder is None:
        abort(404)
    check_in = url_for("organiser.checkin_ticket", ticket_token=ticket_token)
    if current_user.is_authenticated and current_user.can("checkin"):
        return redirect(check_in, 303)
    response = make_response(render_template(
        "public/ticket.html", meeting=holder.meeting, first_name=first_name(holder.name),
        ticket_token=ticket_token, check_in=check_in))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/t/<ticket_token>/qr.svg")
def ticket_page_qr(ticket_token: str):
    """The ticket's QR again, for the holder who opened their ticket page on the phone."""
    if find_by_ticket(ticket_token) is None:
        abort(404)
    return Response(qr.render(absolute(f"/t/{ticket_token}"), "svg", "M", None),
                    mimetype=qr.MEDIA_TYPES["svg"], headers={"Cache-Control": "no-store"})
