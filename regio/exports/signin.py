"""The presentielijst: a printable sign-in sheet in which every name shows, in any script.

Names are drawn with Noto Sans and, for what it lacks, Noto's Arabic, Hebrew, CJK and other
fonts (Debian's fonts-noto-core and fonts-noto-cjk), through fpdf2's fallback fonts and text
shaping (HarfBuzz), so Arabic joins and runs right to left. A character no font has is drawn as
a visible marker, never left out. Long values wrap within their row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from regio.exports.tables import Column

FONT_ROOT = Path("/usr/share/fonts")
MISSING = "[?]"  # stands in for a character no font can draw

# (family, file under FONT_ROOT, font number in a collection); the first found of each script.
PRIMARY = ("truetype/noto/NotoSans-Regular.ttf", "truetype/noto/NotoSans-Bold.ttf")
DEJAVU = ("truetype/dejavu/DejaVuSans.ttf", "truetype/dejavu/DejaVuSans-Bold.ttf")
FALLBACKS = (
    ("arabic", "truetype/noto/NotoSansArabic-Regular.ttf", 0),
    ("hebrew", "truetype/noto/NotoSansHebrew-Regular.ttf", 0),
    ("cjk", "opentype/noto/NotoSansCJK-Regular.ttc", 2),  # 2: the Simplified Chinese face
    ("devanagari", "truetype/noto/NotoSansDevanagari-Regular.ttf", 0),
    ("bengali", "truetype/noto/NotoSansBengali-Regular.ttf", 0),
    ("thai", "truetype/noto/NotoSansThai-Regular.ttf", 0),
    ("armenian", "truetype/noto/NotoSansArmenian-Regular.ttf", 0),
    ("georgian", "truetype/noto/NotoSansGeorgian-Regular.ttf", 0),
    ("ethiopic", "truetype/noto/NotoSansEthiopic-Regular.ttf", 0),
    ("tamil", "truetype/noto/NotoSansTamil-Regular.ttf", 0),
    ("symbols", "truetype/noto/NotoSansSymbols-Regular.ttf", 0),
    ("dejavu", "truetype/dejavu/DejaVuSans.ttf", 0),
)

FONT_SIZE = 9
GROUP_START = 8.5 + 7 + 9  # mm: a group's heading, the column headers and one row
LINE_HEIGHT = 4.6
PADDING = 1.6  # above and below the text in a row
MIN_ROW = 9  # mm: room for a signature
# Letters and signs that Unicode does not decompose into a Latin-1 base letter (core font).
_PLAIN = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "Ł": "L",
          "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "ı": "i", "€": "EUR"}


def latin1(text: str) -> str:
    """For the core font: keep Latin-1, strip accents from the rest, '?' for what remains."""
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or _PLAIN.get(char, "?"))
    return "".join(out)


@dataclass(frozen=True)
class SheetHeader:
    """The texts around the table, made in the reader's language before fpdf2 runs."""

    heading: str
    facts: str
    page_label: str  # with {page} and fpdf2's page-count alias {nb}
    footer: str = ""  # the count and the date of printing


@dataclass(frozen=True)
class Group:
    """Part of a section under a heading of its own, such as one workshop in its room."""

    heading: str
    rows: Sequence[tuple]
    empty: str = ""  # said in place of the table when there are no rows


@dataclass(frozen=True)
class Section:
    """What starts on a new page, such as one room: its own texts around the tables."""

    texts: SheetHeader
    groups: Sequence[Group]


@dataclass(frozen=True)
class FontSet:
    regular: Path | None
    bold: Path | None
    fallbacks: tuple[tuple[str, Path, int], ...]


@lru_cache(maxsize=4)
def find_fonts(root: Path = FONT_ROOT) -> FontSet:
    """Noto Sans with its fallbacks, or DejaVu Sans, or nothing (the core font) under `root`."""
    for regular, bold in (PRIMARY, DEJAVU):
        if (root / regular).exists() and (root / bold).exists():
            fallbacks = tuple((family, root / path, number) for family, path, number in FALLBACKS
                              if (root / path).exists() and path != regular)
            return FontSet(root / regular, root / bold, fallbacks)
    return FontSet(None, None, ())


@lru_cache(maxsize=32)
def covered(path: Path, number: int) -> frozenset[int]:
    """The characters a font file has (read once per process: fonts do not change)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=number, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _needs_shaping(text: str) -> bool:
    """Right-to-left or joined scripts, and marks that attach to a letter."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") or unicodedata.combining(c)
               or "\u0900" <= c <= "\u0dff" or "\u0e00" <= c <= "\u0eff" for c in text)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                   for c in text)


def _sheet_class():
    from fpdf import FPDF

    class SignInSheet(FPDF):
        def __init__(self, texts: SheetHeader, columns: Sequence[Column], fonts: FontSet):
            super().__init__(orientation="landscape", format="A4", unit="mm")
            self.texts = texts
            self.columns = columns
            self.set_margins(10, 10, 10)
            self.set_auto_page_break(auto=True, margin=14)
            total = sum(c.width for c in columns)  # shares of the page's width
            self.widths = [self.epw * c.width / total for c in columns]
            self.char_widths: dict[str, float] = {}
            self.unicode = fonts.regular is not None
            self.fallbacks = fonts.fallbacks
            self.in_use: list[str] = []  # fallback fonts added so far, in FALLBACKS order
            if self.unicode:
                self.add_font("main", "", str(fonts.regular))
                self.add_font("main", "B", str(fonts.bold))
                self.face = "main"
                self.main_chars = frozenset(map(chr, self.fonts["main"].cmap))
                # Characters text() can draw as they are: in the main font, and needing no
                # shaping. A set, so a cell's check is one subset test.
                self.simple_chars = frozenset(c for c in self.main_chars
                                              if not _needs_shaping(c))
            else:
                self.face = "Helvetica"
            self.grouped = False  # sections of groups: a table under each group's heading
            self.group: str | None = None  # the heading of the group being drawn
            self.next_texts: SheetHeader | None = None
            self.use_texts(texts)

        def use_texts(self, texts: SheetHeader) -> None:
            self.texts = texts
            # Shaping costs a few milliseconds per text, so the texts repeated on every page
            # are shaped only when they need it.
            every = "".join((texts.heading, texts.facts, texts.footer, texts.page_label,
                             *(c.header for c in self.columns)))
            self.shape_around = not self.simple(self.visible(every))

        def _cover(self, char: str) -> bool:
            """Whether a font can draw `char`; adds the first fallback font that can."""
            code = ord(char)
            for family, path, number in self.fallbacks:
                if code in covered(path, number):
                    if family not in self.in_use:
                        # Added when first needed: parsing a CJK font takes seconds.
                        self.add_font(family, "", str(path), collection_font_number=number)
                        self.in_use.append(family)
                        order = [f for f, _, _ in self.fallbacks if f in self.in_use]
                        self.set_fallback_fonts(order, exact_match=False)
                    return True
            return False

        def visible(self, text: str) -> str:
            """The text as it can be drawn: a marker for a character no font has."""
            text = _clean(text)
            if not self.unicode:
                return latin1(text)
            if self.main_chars.issuperset(text):
                return text
            return "".join(c if c == " " or c in self.main_chars or self._cover(c)
                           else MISSING for c in text)

        def shaped(self, on: bool) -> None:
            if self.unicode and on != bool(self.text_shaping):
                self.set_text_shaping(on)

        def header(self):
            if self.next_texts is not None:  # a new section: the last page's footer is done
                self.use_texts(self.next_texts)
                self.next_texts = None
            self.shaped(self.shape_around)
            self.set_font(self.face, "B", 13)
            self.multi_cell(0, 6.5, self.visible(self.texts.heading), new_x="LMARGIN",
                            new_y="NEXT")
            self.set_font(self.face, "", 9)
            self.multi_cell(0, 5, self.visible(self.texts.facts), new_x="LMARGIN",
                            new_y="NEXT")
            self.ln(2)
            if not self.grouped:
                self.column_headers()
            elif self.group is not None:  # a group that goes on from the page before
                self.group_heading(self.group)
                self.column_headers()

        def column_headers(self):
            self.shaped(self.shape_around)
            self.set_font(self.face, "B", FONT_SIZE)
            for column, width in zip(self.columns, self.widths, strict=True):
                self.cell(width, 7, self.visible(column.header), border=1)
            self.ln()
            self.set_font(self.face, "", FONT_SIZE)

        def group_heading(self, text: str):
            text = self.visible(text)
            self.shaped(not self.simple(text))
            self.set_font(self.face, "B", 11)
            self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            self.ln(0.5)
            self.set_font(self.face, "", FONT_SIZE)

        def section(self, section: Section):
            """A new page with the section's texts, then each group: its heading, then its
            table (or its `empty` words). Each group with people starts on a page of its own:
            the sheets of one room lie at its door one session after the other, and people
            coming to the second must not sign under the first. A group nobody is in follows
            on the same page when its heading and its words fit."""
            self.grouped, self.group = True, None
            self.next_texts = section.texts
            self.add_page()
            for number, group in enumerate(section.groups):
                self.group = None
                if (number and group.rows) or self.will_page_break(GROUP_START):
                    self.add_page()
                self.ln(2)
                self.group_heading(group.heading)
                if not group.rows:
                    self.set_font(self.face, "", 10)
                    self.shaped(not self.simple(self.visible(group.empty)))
                    self.multi_cell(0, 6, self.visible(group.empty), new_x="LMARGIN",
                                    new_y="NEXT")
                    self.set_font(self.face, "", FONT_SIZE)
                    continue
                self.group = group.heading
                self.column_headers()
                for row in group.rows:
                    self.row([str(c.show(getattr(row, c.field))) if c.field else ""
                              for c in self.columns])
            self.group = None

        def footer(self):
            self.set_y(-11)
            self.shaped(self.shape_around)
            self.set_font(self.face, "", 8)
            label = self.texts.page_label.replace("{page}", str(self.page_no()))
            self.cell(self.epw / 2, 5, self.visible(self.texts.footer))
            self.cell(self.epw / 2, 5, self.visible(label), align="R")

        def simple(self, text: str) -> bool:
            """Drawable by text() in the main font without shaping."""
            return not self.unicode or self.simple_chars.issuperset(text)

        def width_of(self, text: str) -> float:
            # Summed per-character widths: fpdf2's get_string_width is slow per cell, and
            # text() applies no kerning, so the sum is exact.
            widths, total = self.char_widths, 0.0
            for char in text:
                if char not in widths:
                    widths[char] = self.get_string_width(char)
                total += widths[char]
            return total

        def lines(self, text: str, width: float) -> int:
            if not text:
                return 1
            if self.simple(text) and self.width_of(text) <= width - 2 * self.c_margin:
                return 1
            self.shaped(not self.simple(text))
            return len(self.multi_cell(width, LINE_HEIGHT, text, align="L", dry_run=True,
                                       output="LINES"))

        def row(self, cells: Sequence[str]) -> None:
            """One bordered row, as high as its longest value needs."""
            texts = [self.visible(text) if text else "" for text in cells]
            counts = [self.lines(t, w) for t, w in zip(texts, self.widths, strict=True)]
            height = max(MIN_ROW, max(counts) * LINE_HEIGHT + 2 * PADDING)
            if self.will_page_break(height):
                self.add_page()
            x, y = self.l_margin, self.get_y()
            for text, width, count in zip(texts, self.widths, counts, strict=True):
                self.rect(x, y, width, height)
                if text and count == 1 and self.simple(text):
                    self.shaped(False)
                    self.text(x + self.c_margin, y + PADDING + 0.75 * LINE_HEIGHT, text)
                elif text:
                    self.shaped(True)
                    self.set_xy(x, y + PADDING)
                    self.multi_cell(width, LINE_HEIGHT, text, align="L", new_x="RIGHT",
                                    new_y="TOP")
                x += width
            self.set_xy(self.l_margin, y + height)

    return SignInSheet


def render_pdf(rows: Iterable[tuple], *, texts: SheetHeader, columns: Sequence[Column],
               font_root: Path = FONT_ROOT) -> bytes:
    """A printable sheet; fpdf2 builds the document in memory, so it comes at the end."""
    pdf = _sheet_class()(texts, columns, find_fonts(font_root))
    pdf.alias_nb_pages()
    pdf.add_page()
    for row in rows:
        pdf.row([str(c.show(getattr(row, c.field))) if c.field else "" for c in columns])
    return bytes(pdf.output())


def render_sections(sections: Iterable[Section], *, columns: Sequence[Column],
                    font_root: Path = FONT_ROOT) -> bytes:
    """Sign-in sheets in sections, each starting on a new page with its own heading (one per
    room, say), and in each a table per group under the group's heading (one per workshop)."""
    sections = list(sections)
    if not sections:
        raise ValueError("no sections to draw")
    pdf = _sheet_class()(sections[0].texts, columns, find_fonts(font_root))
    pdf.alias_nb_pages()
    for section in sections:
        pdf.section(section)
    return bytes(pdf.output())
