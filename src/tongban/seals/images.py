"""Drawing a seal: a red double circle, a five-point star in the centre, the department's name along
the upper arc and the seal kind on a straight line below the star.

One geometry, three renderers:
- `draw_on_canvas`: vector drawing into a reportlab PDF with the built-in CID font STSong-Light, which
  needs no font file (the PDF reader supplies the Song glyphs). This is what issued PDFs carry, so
  document production works on any machine with only pip packages.
- `seal_svg`: the same as SVG for web pages (the browser supplies the CJK font).
- `seal_png`: a PNG with a transparent background drawn with Pillow. Pillow needs a real font file
  for Chinese; none ships with Python, so we look for one (TONGBAN_SEAL_FONT, then fontconfig's
  `fc-list :lang=zh`, then well-known paths). Without one the PNG still has the rings and the star and
  the text is left out (`png_font()` is None); PDFs are unaffected.
"""

import io
import math
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from tongban.config import env

RED = "#d0021b"
RED_RGB = (208, 2, 27)
CID_FONT = "STSong-Light"

KNOWN_FONT_PATHS = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/simsun.ttc",
]


@dataclass(frozen=True)
class Glyph:
    char: str
    x: float  # position of the character's baseline centre, relative to the seal centre, y up
    y: float
    angle: float  # clockwise rotation in degrees (0 = upright)
    size: float


@dataclass(frozen=True)
class Layout:
    radius: float
    outer_ring: tuple[float, float]  # (radius, line width)
    inner_ring: tuple[float, float]
    star: list[tuple[float, float]]  # ten points, y up
    name_glyphs: list[Glyph]
    kind_text: str
    kind_y: float
    kind_size: float


def layout(name: str, kind_label: str, radius: float) -> Layout:
    """Positions for a seal of `radius` (any unit), centre at the origin, y pointing up."""
    r = radius
    name = name.strip()
    n = max(len(name), 1)
    step = min(40.0, 235.0 / max(n - 1, 1))  # degrees between character centres
    span = step * (n - 1)
    text_outer = 0.82 * r
    size = min(0.25 * r, 0.95 * text_outer * math.radians(step))
    baseline_radius = text_outer - 0.88 * size
    glyphs = []
    for i, char in enumerate(name):
        angle = -span / 2 + i * step  # clockwise from 12 o'clock
        rad = math.radians(angle)
        glyphs.append(
            Glyph(
                char,
                baseline_radius * math.sin(rad),
                baseline_radius * math.cos(rad),
                angle,
                size,
            )
        )
    star_outer, star_inner = 0.30 * r, 0.30 * r * 0.382
    star = []
    for k in range(10):
        rr = star_outer if k % 2 == 0 else star_inner
        a = math.radians(90 + 36 * k)
        star.append((rr * math.cos(a), rr * math.sin(a) + 0.02 * r))
    return Layout(
        radius=r,
        outer_ring=(0.955 * r, 0.07 * r),
        inner_ring=(0.865 * r, 0.018 * r),
        star=star,
        name_glyphs=glyphs,
        kind_text=kind_label,
        kind_y=-0.52 * r,
        kind_size=min(0.15 * r, 1.2 * r / max(len(kind_label), 1)),
    )


# --- PDF (reportlab, vector) ----------------------------------------------------------------------


def register_cid_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def draw_on_canvas(canvas, cx: float, cy: float, diameter: float, name: str, kind_label: str):
    """Draw the seal centred at (cx, cy) on a reportlab canvas, in red, slightly translucent so the
    issuer line under it stays readable (as ink over print)."""
    font = register_cid_font()
    geo = layout(name, kind_label, diameter / 2)
    canvas.saveState()
    canvas.translate(cx, cy)
    canvas.setStrokeColor(RED)
    canvas.setFillColor(RED)
    if hasattr(canvas, "setFillAlpha"):
        canvas.setFillAlpha(0.88)
        canvas.setStrokeAlpha(0.88)
    for ring_radius, width in (geo.outer_ring, geo.inner_ring):
        canvas.setLineWidth(width)
        canvas.circle(0, 0, ring_radius, stroke=1, fill=0)
    path = canvas.beginPath()
    path.moveTo(*geo.star[0])
    for point in geo.star[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
    for glyph in geo.name_glyphs:
        canvas.saveState()
        canvas.translate(glyph.x, glyph.y)
        canvas.rotate(-glyph.angle)
        _bold_text(canvas, font, glyph.size, 0, glyph.char)
        canvas.restoreState()
    _bold_text(canvas, font, geo.kind_size, geo.kind_y, geo.kind_text)
    canvas.restoreState()


def _bold_text(canvas, font: str, size: float, y: float, text: str):
    """Centred text, filled and stroked (render mode 2): STSong-Light has no bold face."""
    width = canvas.stringWidth(text, font, size)
    canvas.setLineWidth(size * 0.035)
    obj = canvas.beginText()
    obj.setTextRenderMode(2)
    obj.setFont(font, size)
    obj.setTextOrigin(-width / 2, y)
    obj.textOut(text)
    canvas.drawText(obj)


# --- SVG (web pages) ------------------------------------------------------------------------------


def seal_svg(name: str, kind_label: str, size: int = 160) -> str:
    r = 100.0
    geo = layout(name, kind_label, r)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-100 -100 200 200" width="{size}" '
        f'height="{size}" role="img" aria-label="{escape(name)}印模">',
        f'<g fill="none" stroke="{RED}">',
    ]
    for ring_radius, width in (geo.outer_ring, geo.inner_ring):
        parts.append(f'<circle r="{ring_radius:.2f}" stroke-width="{width:.2f}"/>')
    parts.append("</g>")
    points = " ".join(f"{x:.2f},{-y:.2f}" for x, y in geo.star)
    parts.append(f'<polygon fill="{RED}" points="{points}"/>')
    text_style = f'fill="{RED}" text-anchor="middle" font-family="SimSun,Songti SC,Noto Serif CJK SC,serif" font-weight="bold"'
    for g in geo.name_glyphs:
        parts.append(
            f'<text {text_style} font-size="{g.size:.2f}" '
            f'transform="translate({g.x:.2f},{-g.y:.2f}) rotate({g.angle:.2f})">{escape(g.char)}</text>'
        )
    parts.append(
        f'<text {text_style} font-size="{geo.kind_size:.2f}" x="0" y="{-geo.kind_y:.2f}">'
        f"{escape(geo.kind_text)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


# --- PNG (Pillow) ---------------------------------------------------------------------------------


def _fc_list_fonts() -> list[tuple[str, int]]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(  # fixed arguments, no shell
            ["fc-list", ":lang=zh", "--format=%{file}|%{index}|%{family}|%{style}\n"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    ranked = []
    for line in out.splitlines():
        path, _, rest = line.partition("|")
        index, _, rest = rest.partition("|")
        family, _, style = rest.partition("|")
        if not path or not Path(path).exists():
            continue
        score = 0
        if "SC" in family or "GB" in family or "Song" in family or "Ming" in family:
            score += 4
        if "Serif" in family or "Song" in family:
            score += 2
        if "Bold" in style:
            score += 1
        ranked.append((score, path, int(index or 0)))
    ranked.sort(key=lambda item: -item[0])
    return [(path, index) for _, path, index in ranked]


@lru_cache(maxsize=1)
def png_font() -> tuple[str, int] | None:
    """(font file, face index) for Chinese in PNGs, or None when the machine has no CJK font."""
    from PIL import ImageFont

    candidates: list[tuple[str, int]] = []
    configured = env("SEAL_FONT")
    if configured:
        candidates.append((configured, 0))
    candidates += _fc_list_fonts()
    candidates += [(path, 0) for path in KNOWN_FONT_PATHS if Path(path).exists()]
    for path, index in candidates:
        try:
            font = ImageFont.truetype(path, 20, index=index)
            if font.getmask("印").getbbox():
                return path, index
        except OSError:
            continue
    return None


def seal_png(name: str, kind_label: str, size: int = 360) -> bytes:
    """A transparent PNG of the seal, drawn at 3× and scaled down for smooth edges."""
    from PIL import Image, ImageDraw, ImageFont

    scale = 3
    big = size * scale
    r = big / 2 * 0.98
    c = big / 2
    geo = layout(name, kind_label, r)
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    color = (*RED_RGB, 255)
    for ring_radius, width in (geo.outer_ring, geo.inner_ring):
        w = max(1, round(width))
        outer = ring_radius + width / 2
        draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=color, width=w)
    draw.polygon([(c + x, c - y) for x, y in geo.star], fill=color)
    found = png_font()
    if found is not None:
        path, index = found
        for g in geo.name_glyphs:
            font = ImageFont.truetype(path, round(g.size), index=index)
            tile_size = round(g.size * 2)
            tile = Image.new("RGBA", (tile_size, tile_size), (0, 0, 0, 0))
            # anchor "ms": middle of the baseline at the tile centre, like the PDF renderer.
            ImageDraw.Draw(tile).text(
                (tile_size / 2, tile_size / 2), g.char, font=font, fill=color, anchor="ms"
            )
            tile = tile.rotate(
                -g.angle, resample=Image.BICUBIC, center=(tile_size / 2, tile_size / 2)
            )
            image.alpha_composite(
                tile, (round(c + g.x - tile_size / 2), round(c - g.y - tile_size / 2))
            )
        font = ImageFont.truetype(path, round(geo.kind_size), index=index)
        draw.text((c, c - geo.kind_y), geo.kind_text, font=font, fill=color, anchor="ms")
    image = image.resize((size, size), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
