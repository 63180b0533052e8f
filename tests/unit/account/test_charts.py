"""Charts render offline to accessible, deterministic inline SVG with Danish number formats."""

import re
from dataclasses import replace

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from pipeline.account import charts
from pipeline.account.charts import svg as svg_module
from pipeline.account.kpis import KPI_DEFS
from pipeline.account.kpis.energy_labels import NO_LABEL
from pipeline.account.kpis.fleet import fleet_counts
from pipeline.account.targets import Target
from tests.factories import empty_frame, history

NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def validate_specs(monkeypatch):
    monkeypatch.setattr(svg_module, "VALIDATE", True)  # Altair's schema check on in tests


@pytest.fixture
def rendered_specs(monkeypatch):
    """The Vega-Lite specs handed to vl-convert, in order (the real renderer still runs)."""
    specs = []
    real = vlc.vegalite_to_svg

    def spy(spec, **kwargs):
        specs.append(spec)
        return real(spec, **kwargs)

    monkeypatch.setattr(svg_module.vlc, "vegalite_to_svg", spy)
    return specs


def check_svg(svg, alt_fragment):
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert set(re.findall(r"https?://[^\"'\s)]*", svg)) <= NAMESPACES
    head = svg[: svg.index(">")]
    assert 'role="img"' in head
    assert "aria-label=" in head and alt_fragment in head
    assert re.search(r"<title>[^<]*" + re.escape(alt_fragment), svg)
    assert "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+=", svg)  # no inline event handlers
    assert len(svg.encode()) < 25_000


CARS = KPI_DEFS["zero_emission_share_passenger_cars"]
CARS_H = history(
    CARS.kpi_id,
    [(2019, 10.0), (2020, 12.5), (2021, 20.0), (2022, 31.0), (2023, 31.0), (2024, 46.0)],
)
CARS_T = Target(CARS.kpi_id, None, None, 2030, 100.0, "plan")


def test_kpi_chart_svg():
    svg = charts.kpi_chart(CARS, CARS_H, 2024, CARS_T)
    check_svg(svg, "Personbiler på el eller brint, 2019–2024")
    assert f">Mål 2030: 100{NBSP}%<" in svg
    assert ">2024<" in svg and ">2030<" in svg  # year axis without thousands separator
    assert "2.024" not in svg
    assert ">År<" in svg  # Danish axis title
    assert "Målsti" in svg  # legend, not colour alone
    assert 'stroke-dasharray="6,4"' in svg  # dashed trajectory


def test_kpi_chart_is_deterministic():
    assert charts.kpi_chart(CARS, CARS_H, 2024, CARS_T) == charts.kpi_chart(
        CARS, CARS_H, 2024, CARS_T
    )


def test_kpi_chart_years_after_report_year_are_not_drawn():
    h = pd.concat([CARS_H, history(CARS.kpi_id, [(2025, 99.0)])])
    svg = charts.kpi_chart(CARS, h, 2024, None)
    assert "2024: 46" in svg[: svg.index(">")]
    assert "2025: " not in svg[: svg.index(">")]
    assert ">2025<" not in svg  # no target: the x axis ends at the report year


def test_kpi_chart_without_data_is_none():
    h = history(CARS.kpi_id, [(2023, float("nan")), (2024, float("nan"))])
    assert charts.kpi_chart(CARS, h, 2024, CARS_T) is None


def test_a_change_below_zero_gets_an_axis_below_zero(rendered_specs):
    """Own effort is a change in t CO2e: a fall is negative and must be drawn, not cut off at 0."""
    effort = KPI_DEFS["operations_own_effort_t_co2e"]
    h = history(effort.kpi_id, [(2022, 0.0), (2023, -40.0), (2024, -120.0)])
    svg = charts.kpi_chart(effort, h, 2024, None)
    check_svg(svg, "Egen indsats siden referenceåret, 2022–2024")
    low, high = rendered_specs[-1]["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert low <= -120 * 1.15 and high == 0
    assert f"-120{NBSP}t CO₂e" in svg  # the latest value's label


def test_decimal_comma_in_tick_labels():
    gwp = replace(
        KPI_DEFS["lca_projects_count"],
        kpi_id="gwp_demo",
        unit="kg CO2e/m²/år",
        title_da="Gennemsnitligt LCA-resultat",
        axis_da="kg CO₂e/m²/år",
    )
    h = history("lca_projects_count", [(2022, 1.2), (2023, 1.4), (2024, 1.7)]).assign(
        kpi_id="gwp_demo"
    )
    svg = charts.kpi_chart(gwp, h, 2024, None)
    check_svg(svg, "Gennemsnitligt LCA-resultat")
    assert re.search(r">\d,\d<", svg), "expected a tick label like 0,5 (decimal comma)"
    assert not re.search(r">\d\.\d<", svg)


def test_to_svg_uses_danish_thousands_and_decimals():
    df = pd.DataFrame({"x": [0.0, 0.5, 1.5], "y": [0, 1500, 3000]})
    chart = alt.Chart(df).mark_line().encode(x="x:Q", y=alt.Y("y:Q", axis=alt.Axis(format=",.0f")))
    svg = charts.to_svg(chart, "Testfigur", "fig-test")
    check_svg(svg, "Testfigur")
    assert ">0,4<" in svg and ">1.000<" in svg


def test_specs_are_validated_in_tests():
    """The autouse fixture really switches Altair's schema check on (else it checks nothing)."""
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    chart["width"] = "wide"  # item assignment skips the check that .properties() would make
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        charts.to_svg(chart, "Ugyldig figur", "fig-invalid")


# --- the Altair theme ------------------------------------------------------------------------


def test_a_rendered_chart_carries_the_theme(rendered_specs):
    svg = charts.kpi_chart(CARS, CARS_H, 2024, CARS_T)
    config = rendered_specs[-1]["config"]
    assert config["font"] == svg_module.FONT
    assert config["background"] == "white" and config["aria"] is False
    assert config["view"]["stroke"] is None
    for key, value in svg_module.CONFIG["axis"].items():
        assert config["axis"][key] == value, key
    assert config["axis"]["labelColor"] == config["axis"]["titleColor"] == svg_module.TEXT
    assert config["axis"]["domainColor"] == svg_module.GREY
    # ... and the SVG shows it
    assert f'font-family="{svg_module.FONT}"' in svg
    assert f'stroke="{svg_module.GREY}"' in svg  # axis domain and ticks
    assert f'fill="{svg_module.TEXT}"' in svg  # axis labels and titles


def test_kpi_chart_legend_override_is_merged_into_the_theme(rendered_specs):
    charts.kpi_chart(CARS, CARS_H, 2024, CARS_T)
    legend = rendered_specs[-1]["config"]["legend"]
    assert (legend["symbolType"], legend["symbolSize"], legend["symbolStrokeWidth"]) == (
        "stroke", 500, 2.5,
    )
    for key, value in svg_module.CONFIG["legend"].items():  # orient, direction, colours, fonts
        assert legend[key] == value, key
    # the override stays with the KPI chart: neither the theme nor the next chart gets it
    assert "symbolType" not in svg_module.CONFIG["legend"]
    charts.label_chart(LABELS, 2024)
    assert rendered_specs[-1]["config"]["legend"] == svg_module.CONFIG["legend"]


def test_the_theme_applies_whatever_theme_was_active(rendered_specs):
    before = alt.theme.active
    try:
        alt.theme.enable("dark")
        df = pd.DataFrame({"x": [0, 1], "y": [1, 2]})
        charts.to_svg(alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q"), "Figur", "fig-t")
    finally:
        alt.theme.enable(before)
    config = rendered_specs[-1]["config"]
    assert config["font"] == svg_module.FONT
    assert config["axis"]["gridColor"] == svg_module.GRID
    assert "usermeta" not in rendered_specs[-1]  # nothing left of the dark theme


# --- ids and text alternatives -----------------------------------------------------------------


def clipped(df):
    """A chart whose SVG has an id (a clip path) and a reference to it."""
    return alt.Chart(df).mark_line(clip=True).encode(
        x=alt.X("x:Q", scale=alt.Scale(domain=[0, 1])), y="y:Q"
    )


def test_ids_are_prefixed_and_unique_across_charts():
    df = pd.DataFrame({"x": [0.0, 0.5, 1.5], "y": [0, 1500, 3000]})
    a = charts.to_svg(clipped(df), "Figur A", "fig-a")
    b = charts.to_svg(clipped(df), "Figur B", "fig-b")
    ids_a, ids_b = set(re.findall(r'\bid="([^"]+)"', a)), set(re.findall(r'\bid="([^"]+)"', b))
    assert ids_a and ids_b  # vl-convert gives the clip path an id: there is something to check
    assert not ids_a & ids_b
    assert all(i.startswith("fig-a-") for i in ids_a)
    refs = re.findall(r"url\(#([^)]+)\)", a)
    assert refs and set(refs) <= ids_a


def test_finish_svg_prefixes_ids_and_every_reference():
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<clipPath id="clip1"/><clipPath id="clip10"/><g clip-path="url(#clip1)"/>'
        '<g clip-path="url(#clip10)"/><use href="#clip1"/><use xlink:href="#clip10"/></svg>'
    )
    svg = charts.finish_svg(raw, "Figur", "fig-p")
    assert set(re.findall(r'\bid="([^"]+)"', svg)) == {"fig-p-clip1", "fig-p-clip10"}
    assert re.findall(r"url\(#([^)]+)\)", svg) == ["fig-p-clip1", "fig-p-clip10"]
    assert re.findall(r'href="#([^"]+)"', svg) == ["fig-p-clip1", "fig-p-clip10"]
    assert 'xmlns:xlink="http://www.w3.org/1999/xlink"' in svg  # still used: kept


def test_alt_text_is_escaped():
    svg = charts.finish_svg(
        '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', 'A "quoted" <b>&</b>', "fig-x"
    )
    assert 'aria-label="A &quot;quoted&quot; &lt;b&gt;&amp;&lt;/b&gt;"' in svg
    assert '<title>A "quoted" &lt;b&gt;&amp;&lt;/b&gt;</title>' in svg


def test_finish_svg_refuses_what_is_not_svg():
    with pytest.raises(ValueError, match="did not return an SVG"):
        charts.finish_svg("<html></html>", "Figur", "fig-x")


# --- breakdown charts -------------------------------------------------------------------------

LABELS = pd.DataFrame(
    {
        "label": ["A2020", "A2015", "A2010", "B", "C", "D", "E", "F", "G", NO_LABEL],
        "count": [1, 2, 3, 10, 12, 8, 5, 2, 1, 6],
        "area_m2": [1000.0, 2000, 3000, 9000, 10000, 6000, 4000, 1500, 500, 3000],
    }
)
LABELS["count_share"] = LABELS["count"] / LABELS["count"].sum() * 100
LABELS["area_share"] = LABELS["area_m2"] / LABELS["area_m2"].sum() * 100


def contains_run(items, run):
    return any(items[i : i + len(run)] == run for i in range(len(items) - len(run) + 1))


def test_label_chart():
    svg = charts.label_chart(LABELS, 2024)
    check_svg(svg, "energimærke i 2024")
    assert "Intet mærke" in svg and "Andel af opvarmet areal" in svg and "Andel af bygninger" in svg
    assert "Største gruppe efter areal: C med 25" in svg  # C: 10000 of 40000 m²
    texts = [t.replace(NBSP, " ") for t in re.findall(r">([^<>]*%)<", svg)]
    # one label per bar, in label order, rounded half-up (2,5 → 3; 22,5 → 23), not on the axis
    area = ["3 %", "5 %", "8 %", "23 %", "25 %", "15 %", "10 %", "4 %", "1 %", "8 %"]
    count = ["2 %", "4 %", "6 %", "20 %", "24 %", "16 %", "10 %", "4 %", "2 %", "12 %"]
    assert contains_run(texts, area) and contains_run(texts, count)


def test_fleet_chart_labels_carry_the_group():
    counts = fleet_counts(
        pd.DataFrame(
            {
                "vehicle_class": ["personbil"] * 40 + ["varebil"] * 3,
                "propulsion": ["el"] * 17
                + ["brint"]
                + ["diesel"] * 22
                + ["el", "hybrid", "<script>"],
            }
        )
    )
    svg = charts.fleet_chart(counts, 2024)
    check_svg(svg, "Køretøjer på el eller brint: personbiler 18 af 40")
    assert "18 el/brint" in svg and "22 forbrændingsmotor" in svg and "1 ukendt" in svg
    assert "<script>" not in svg


def test_actions_chart_escapes_delivery_text():
    by_status = pd.DataFrame({"status": ["i gang", "<b>&weird</b>"], "actions": [3, 1]})
    svg = charts.actions_chart(by_status, 2024)
    check_svg(svg, "i gang: 3")
    assert "<b>" not in svg
    assert "&lt;b&gt;&amp;weird&lt;/b&gt;" in svg


def test_empty_inputs_give_no_chart():
    assert charts.label_chart(LABELS.iloc[0:0], 2024) is None
    assert charts.fleet_chart(fleet_counts(empty_frame("fleet")), 2024) is None
    assert charts.actions_chart(pd.DataFrame({"status": [], "actions": []}), 2024) is None
