"""The charts' look (an Altair theme) and their rendering to inline, accessible SVG with vl-convert."""

from __future__ import annotations

import html
import re

import altair as alt
import vl_convert as vlc

# Colours with contrast ≥ 3:1 against white (graphics, WCAG 1.4.11); text colours ≥ 4.5:1.
BLUE, GREY, ORANGE, GREEN = "#1a5490", "#595959", "#a63d00", "#1e6b3a"
TEXT, GRID = "#222222", "#dddddd"
FONT = "Arial, Helvetica, 'Liberation Sans', sans-serif"
WIDTH, HEIGHT = 520, 220
VALIDATE = False  # Altair's JSON-schema check costs ~40 ms per chart; the tests switch it on
LOCALE = "da-DK"  # d3-format: decimal comma, '.' thousands; d3-time-format: Danish month names

OBSERVED, TRAJECTORY = "Målt værdi", "Målsti (stiplet)"

THEME = "green_accounts"


@alt.theme.register(THEME, enable=True)
def theme() -> alt.theme.ThemeConfig:
    """Fonts, colours and legend placement shared by every chart (WCAG contrast, Danish labels)."""
    return {"config": CONFIG}


CONFIG = {
    "aria": False,
    "font": FONT,
    "background": "white",
    "view": {"stroke": None, "continuousWidth": 300, "continuousHeight": 300},  # + Altair default
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": TEXT,
        "titleColor": TEXT,
        "domainColor": GREY,
        "tickColor": GREY,
        "gridColor": GRID,
        "titleFontWeight": "normal",
    },
    "legend": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": TEXT,
        "titleColor": TEXT,
        "titleFontWeight": "normal",
        "orient": "top",
        "direction": "horizontal",
    },
    "text": {"fontSize": 12, "fill": TEXT},
}
_NOISE = re.compile(
    r'\s(?:role="graphics-[^"]*"|aria-roledescription="[^"]*"|aria-hidden="true"'
    r'|pointer-events="none")'
)
_ID = re.compile(r'\bid="([^"]+)"')


def to_svg(chart: alt.TopLevelMixin, alt_text: str, id_prefix: str) -> str:
    """Render a chart (with the theme) to a self-contained SVG string with role="img", aria-label and <title>."""
    alt.theme.enable(THEME)
    spec = chart.to_dict(validate=VALIDATE)
    svg = vlc.vegalite_to_svg(spec, format_locale=LOCALE, time_format_locale=LOCALE)
    return finish_svg(svg, alt_text, id_prefix)


def finish_svg(svg: str, alt_text: str, id_prefix: str) -> str:
    """Make an SVG safe to inline many times on one page and give it a text alternative."""
    svg = svg.strip()
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :].lstrip()
    if not svg.startswith("<svg"):
        raise ValueError("vl-convert did not return an SVG document; check the chart spec")
    svg = _NOISE.sub("", svg)
    if "xlink:" not in svg.replace('xmlns:xlink="', ""):
        svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    # ids must be unique on the page: prefix every id and every reference to it
    ids = set(_ID.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{id_prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    label = html.escape(alt_text, quote=True)
    head_end = svg.index(">")
    head = svg[:head_end].replace(' class="marks"', "")
    return (
        f'{head} role="img" aria-label="{label}">'
        f"<title>{html.escape(alt_text, quote=False)}</title>"
        f"{svg[head_end + 1 :]}"
    )
