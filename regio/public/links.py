"""Short sign-up links, QR images, posters and ticket images."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from regio import posters, qr
from regio.db import utc_now
from regio.errors import DomainError
from regio.i18n import long_date, meeting_title, time_range
from regio.messages import message_for
from regio.programme.opening import not_open
from regio.programme.seats import programme_of
from regio.programme.words import poster_lines
from regio.public import bp
from regio.public.views import known_meeting_id, load_meeting
from regio.registrations.models import Status
from regio.registrations.services import find_by_token
from regio.registrations.tickets import valid_ticket

# A `bron` tag says where a visitor came from (poster, brief, dia …).
BRON_RE = re.compile(r"[A-Za-z0-9-]{1,32}")
SIZE_RE = re.compile(r"[0-9]{1,6}")
POSTER_BRON = "poster"
POSTER_QR_PIXELS = 1400  # PNG width for the PDF poster: ~300 dpi at 11.5 cm
PUBLIC_MAX_AGE = 86400


def is_bron(value: str) -> bool:
    return BRON_RE.fullmatch(value) is not None


def absolute(path: str) -> str:
    """`path` on REGIO_BASE_URL: never the request's Host header, which the client controls."""
    return current_app.config["REGIO_BASE_URL"].rstrip("/") + path


def short_link(slug: str, bron: str | None = None) -> str:
    path = f"/r/{quote(slug)}" + (f"/{quote(bron)}" if bron else "")
    return absolute(path)


def without_scheme(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc + parts.path


def _bron_arg(default: str | None = None) -> str | None:
    bron = request.args.get("bron", default)
    if bron is not None and not is_bron(bron):
        abort(404)
    return bron


def _bad_request(code: str, **params) -> Response:
    return Response(message_for(DomainError(code, **params)), 400,
                    mimetype="text/plain", headers={"Cache-Control": "no-store"})


def _image_options() -> tuple[str, int | None]:
    """(ec, size) from the query string; a 400 saying what is wrong when they are not valid."""
    ec = request.args.get("ec", "M").upper()
    if ec not in qr.LEVELS:
        abort(_bad_request("bad_qr_level"))
    raw = request.args.get("size")
    if raw is None:
        return ec, None
    size = int(raw) if SIZE_RE.fullmatch(raw) else -1
    if not qr.MIN_SIZE <= size <= qr.MAX_SIZE:
        abort(_bad_request("bad_qr_size", low=qr.MIN_SIZE, high=qr.MAX_SIZE))
    return ec, size


# --- short links -----------------------------------------------------------------------------


@bp.get("/r/<slug>")
@bp.get("/r/<slug>/")
@bp.get("/r/<slug>/<bron>")
def short_redirect(slug: str, bron: str | None = None):
    """The short link on letters and posters. People type it over from paper, so capitals
    (`/r/Zwolle`) and a closing slash are forgiven; slugs are lower case."""
    if bron is not None and not is_bron(bron):
        abort(404)
    meeting = load_meeting(slug.lower())
    return redirect(url_for("public.meeting", slug=meeting.slug, bron=bron), 302)


# --- QR images of the short link -------------------------------------------------------------


def _meeting_qr(slug: str, kind: str):
    bron = _bron_arg()
    ec, size = _image_options()
    known_meeting_id(slug)  # 404 for a meeting that does not exist
    url = short_link(slug, bron)
    variant = f"{kind}|{ec}|{size}|{url}"
    etag = hashlib.sha256(variant.encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(qr.cached_render(url, kind, ec, size), mimetype=qr.MEDIA_TYPES[kind])
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    return response


@bp.get("/bijeenkomsten/<slug>/qr.svg")
def meeting_qr_svg(slug: str):
    return _meeting_qr(slug, "svg")


@bp.get("/bijeenkomsten/<slug>/qr.png")
def meeting_qr_png(slug: str):
    return _meeting_qr(slug, "png")


# --- posters ---------------------------------------------------------------------------------


def poster_for(meeting, bron: str) -> posters.Poster:
    """The words of a meeting's poster; the HTML page and the PDF both show exactly these."""
    return posters.Poster(
        kicker=_("Uitnodiging"),
        title=meeting_title(meeting),
        lead=_("Praat mee over het ontwikkelingsperspectief (OPP): hoe maken we het eenvoudiger "
               "en beter voor school, ouders en leerling?"),
        facts=(
            (_("Datum"), long_date(meeting.date)),
            (_("Tijd"), time_range(meeting.start_time, meeting.end_time)),
            (_("Locatie"), f"{meeting.venue}, {meeting.city}"),
            (_("Adres"), meeting.address or _("adres volgt")),
        ),
        audience_heading=_("Voor wie?"),
        audience=(
            _("Onderwijsprofessionals uit het primair, voortgezet en gespecialiseerd onderwijs "
              "(po, vo en go)"),
            _("Ouders en vertegenwoordigers van ouders"),
            _("Leerlingen en vertegenwoordigers van leerlingen"),
        ),
        call=_("Scan de QR-code en meld u aan"),
        type_hint=_("Lukt scannen niet? Typ dit adres in uw browser:"),
        short_url=without_scheme(short_link(meeting.slug)),
        qr_alt=_("QR-code naar de aanmeldpagina: %(url)s",
                 url=without_scheme(short_link(meeting.slug, bron))),
        footer=_("Een initiatief van het ministerie van Onderwijs, Cultuur en Wetenschap."),
        notice=_("Let op: deze bijeenkomst gaat niet door.") if meeting.is_cancelled else None,
        programme_heading=_("Programma"),
        programme=_poster_programme(meeting.id),
    )


def _poster_programme(meeting_id: int) -> tuple[str, ...]:
    programme = programme_of(meeting_id)
    return poster_lines(programme, not_open(meeting_id, {i.round for i in programme if i.round},
                                            utc_now()))


@bp.get("/bijeenkomsten/<slug>/poster")
def poster(slug: str):
    bron = _bron_arg(POSTER_BRON)
    meeting = load_meeting(slug)
    return render_template("public/poster.html", meeting=meeting, bron=bron,
                           poster=poster_for(meeting, bron))


@lru_cache(maxsize=64)
def _poster_pdf(poster: posters.Poster, qr_url: str) -> bytes:
    # A PDF takes a few hundred milliseconds (font subsetting); the same words give the same file.
    return posters.render_pdf(poster, qr.cached_render(qr_url, "png", "M", POSTER_QR_PIXELS))


@bp.get("/bijeenkomsten/<slug>/poster.pdf")
def poster_pdf(slug: str):
    bron = _bron_arg(POSTER_BRON)
    meeting = load_meeting(slug)
    body = _poster_pdf(poster_for(meeting, bron), short_link(meeting.slug, bron))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="poster-{meeting.slug}.pdf"',
    })


# --- ticket images ---------------------------------------------------------------------------


def _ticket(token: str, kind: str):
    ec, size = _image_options()
    _link, registration = find_by_token(token)
    if registration is None:
        abort(404)
    if registration.status == Status.ERASED:
        abort(410)
    ticket = valid_ticket(registration)
    if ticket is None:
        abort(404)
    # Not cached: the image carries a secret of one attendee.
    # The public ticket page: the holder who scans it sees their ticket, door staff who are
    # logged in go on to the check-in (`regio.public.tickets`).
    body = qr.render(absolute(f"/t/{ticket}"), kind, ec, size)
    return Response(body, mimetype=qr.MEDIA_TYPES[kind],
                    headers={"Cache-Control": "no-store, private"})


@bp.get("/aanmelding/<token>/ticket.svg")
def ticket_svg(token: str):
    return _ticket(token, "svg")


@bp.get("/aanmelding/<token>/ticket.png")
def ticket_png(token: str):
    return _ticket(token, "png")
