"""Back office: attendance lists of a meeting as CSV, XLSX and PDF (DESIGN §3)."""

from __future__ import annotations

from flask import Response, abort, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from regio.db import db, utc_now
from regio.errors import DomainError
from regio.exports import file_name, start_export
from regio.meetings.services import get_meeting
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import require

# Werkzeug adds "; charset=utf-8" to a text/* mimetype itself.
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _bad_filter(error: DomainError) -> Response:
    if error.code == "bad_role":
        text = _("Onbekende rol. Gebruik po, vo, go, ouder of leerling.")
    else:
        text = message_for(error)
    return Response(text + "\n", status=400, mimetype="text/plain")


def _export(slug: str, fmt: str, *, wishes: bool = False) -> Response:
    meeting = get_meeting(slug)
    if meeting is None:
        abort(404)
    role, status = request.args.get("rol"), request.args.get("status")
    try:
        export = start_export(meeting, fmt, role=role, status=status,
                              query=request.args.get("q"), sep=request.args.get("sep"),
                              columns=request.args.get("kolommen"), wishes=wishes,
                              actor=current_user.email, now=utc_now())
    except DomainError as error:
        db.session.rollback()
        return _bad_filter(error)
    name = file_name(meeting, fmt, role=role, status=status, wishes=wishes)
    # The audit record is committed before the first byte of the list leaves.
    db.session.commit()
    response = Response(stream_with_context(export.chunks()), mimetype=MIMETYPES[fmt])
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["X-Export-Rows"] = str(export.rows)
    return response


@bp.get("/bijeenkomsten/<slug>/deelnemers.csv")
@require("manage")
def export_csv(slug: str):
    return _export(slug, "csv")


@bp.get("/bijeenkomsten/<slug>/deelnemers.xlsx")
@require("manage")
def export_xlsx(slug: str):
    return _export(slug, "xlsx")


@bp.get("/bijeenkomsten/<slug>/deelnemers.pdf")
@require("manage")
def export_pdf(slug: str):
    return _export(slug, "pdf")


@bp.get("/bijeenkomsten/<slug>/wensen.xlsx")
@require("manage")
def wishes_xlsx(slug: str):
    """For the venue and the caterer: confirmed attendees with an access or diet wish."""
    return _export(slug, "xlsx", wishes=True)


@bp.get("/bijeenkomsten/<slug>/wensen.pdf")
@require("manage")
def wishes_pdf(slug: str):
    return _export(slug, "pdf", wishes=True)
