"""The A4 poster of a meeting as a PDF (fpdf2) — pure: the poster's words and QR PNG in, bytes out.

The words come ready-made in a `Poster` (the view builds it, translated), so the printable HTML
page and this PDF say exactly the same thing.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

PAGE_W, PAGE_H = 210.0, 297.0  # A4, mm
MARGIN = 15.0
QR_WIDTH = 115.0  # mm: 11.5 cm, scannable from a few metres
INK = (26, 26, 26)
ACCENT = (11, 79, 138)
MUTED = (74, 74, 74)


@dataclass(frozen=True)
class Poster:
    """Everything a poster says, in the reader's language."""

    kicker: str  # small line above the title
    title: str
    lead: str
    facts: tuple[tuple[str, str], ...]  # (label, value): date, time, venue, address
    audience_heading: str
    audience: tuple[str, ...]
    call: str  # "scan and register"
    type_hint: str  # for people who cannot scan
    short_url: str  # without the scheme, e.g. "regio.example.nl/r/zwolle"
    qr_alt: str
    footer: str
    notice: str | None = None  # e.g. the meeting is cancelled
    programme_heading: str = ""
    programme: tuple[str, ...] = ()  # one line per part of the day, when there is a programme


# Characters outside Latin-1 that the core PDF fonts cannot draw.
_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                        "…": "...", "\u00a0": " "})


def latin1(text: str) -> str:
    """`text` drawable with a core font: typographic marks made plain, the rest transliterated."""
    text = text.translate(_PLAIN)
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            out.append(base or "?")
    return "".join(out)


class _PosterPDF(FPDF):
    def __init__(self, font_dir: Path) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.unicode = all((font_dir / name).is_file() for name in FONT_FILES.values())
        if self.unicode:
            for style, name in FONT_FILES.items():
                self.add_font("DejaVu", style, str(font_dir / name))
        self.family = "DejaVu" if self.unicode else "Helvetica"

    def text_of(self, text: str) -> str:
        return text if self.unicode else latin1(text)

    def block(self, text: str, *, size: float, bold: bool = False, colour=INK,
              align: str = "L", gap: float = 0.0) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.45, self.text_of(text), align=align,
                        new_x="LMARGIN", new_y="NEXT")
        if gap:
            self.ln(gap)


def render_pdf(poster: Poster, qr_png: bytes, *, font_dir: Path = FONT_DIR) -> bytes:
    """One A4 page: title, facts, who it is for, the QR code and the short URL."""
    pdf = _PosterPDF(font_dir)
    pdf.set_title(pdf.text_of(poster.title))
    pdf.set_creator("Regio")
    pdf.add_page()

    pdf.block(poster.kicker, size=13, bold=True, colour=ACCENT, gap=1)
    pdf.block(poster.title, size=26, bold=True, gap=2)
    if poster.notice:
        pdf.block(poster.notice, size=16, bold=True, colour=(176, 0, 32), gap=2)
    pdf.block(poster.lead, size=14, colour=MUTED, gap=4)

    label_w = 30.0
    for label, value in poster.facts:
        pdf.set_font(pdf.family, "B", 14)
        pdf.set_text_color(*INK)
        y = pdf.get_y()
        pdf.cell(label_w, 7, pdf.text_of(label))
        pdf.set_xy(MARGIN + label_w, y)
        pdf.set_font(pdf.family, "", 14)
        pdf.multi_cell(0, 7, pdf.text_of(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.5)
    pdf.ln(3)

    pdf.block(poster.audience_heading, size=14, bold=True, gap=0.5)
    bullet = "•" if pdf.unicode else "-"
    for line in poster.audience:
        pdf.set_font(pdf.family, "", 12)
        y = pdf.get_y()
        pdf.cell(5, 5.4, bullet)
        pdf.set_xy(MARGIN + 5, y)
        pdf.multi_cell(0, 5.4, pdf.text_of(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    if poster.programme:
        pdf.block(poster.programme_heading, size=14, bold=True, gap=0.5)
        for line in poster.programme:
            pdf.block(line, size=11)
        pdf.ln(3)

    pdf.block(poster.call, size=20, bold=True, colour=ACCENT, align="C", gap=1)
    top = pdf.get_y()
    footer_room = 36.0  # type hint, URL and footer below the code
    width = min(QR_WIDTH, PAGE_H - MARGIN - footer_room - top)
    pdf.image(io.BytesIO(qr_png), x=(PAGE_W - width) / 2, y=top, w=width, h=width,
              alt_text=pdf.text_of(poster.qr_alt))
    pdf.set_y(top + width + 1)
    pdf.block(poster.type_hint, size=12, colour=MUTED, align="C", gap=0.5)
    pdf.block(poster.short_url, size=20, bold=True, align="C")

    pdf.set_y(PAGE_H - MARGIN - 6)
    pdf.block(poster.footer, size=10, colour=MUTED, align="C")
    return bytes(pdf.output())
