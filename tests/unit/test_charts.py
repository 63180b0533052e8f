"""Charts render offline to accessible, deterministic inline SVG with Danish number formats."""

import re
from dataclasses import replace

import altair as alt
import pandas as pd
import pytest

from pipeline import charts, kpis
from pipeline.kpis import KPI_DEFS
from pipeline.targets import Target
from tests.unit.frames import history

NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(autouse=True)
def validate_specs(monkeypatch):
    monkeypatch.setattr(charts, "VALIDATE", True)  # Altair's schema check on in tests




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
    assert (
        "Mål 2030: 100\u00a0%" in svg or "Mål 2030: 100&#160;%" in svg or "Mål 2030: 100 %" in svg
    )
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
    assert "2025: " not in svg[: svg.index(">")]
    assert ">2025<" not in svg  # no target: the x axis ends at the report year


def test_kpi_chart_without_data_is_none():
    h = history(CARS.kpi_id, [(2023, float("nan")), (2024, float("nan"))])
    assert charts.kpi_chart(CARS, h, 2024, CARS_T) is None


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


def test_ids_are_prefixed_and_unique_across_charts():
    a = charts.kpi_chart(CARS, CARS_H, 2024, CARS_T)
    vans = KPI_DEFS["zero_emission_share_vans"]
    b = charts.kpi_chart(vans, CARS_H.assign(kpi_id=vans.kpi_id), 2024, None)
    ids_a, ids_b = set(re.findall(r'\bid="([^"]+)"', a)), set(re.findall(r'\bid="([^"]+)"', b))
    assert not ids_a & ids_b
    assert all(i.startswith("fig-zero_emission_share_passenger_cars-") for i in ids_a)
    for ref in re.findall(r"url\(#([^)]+)\)", a):
        assert ref in ids_a


def test_alt_text_is_escaped():
    svg = charts.finish_svg(
        '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', 'A "quoted" <b>&</b>', "fig-x"
    )
    assert 'aria-label="A &quot;quoted&quot; &lt;b&gt;&amp;&lt;/b&gt;"' in svg
    assert '<title>A "quoted" &lt;b&gt;&amp;&lt;/b&gt;</title>' in svg


LABELS = pd.DataFrame(
    {
        "label": ["A2020", "A2015", "A2010", "B", "C", "D", "E", "F", "G", kpis.NO_LABEL],
        "count": [1, 2, 3, 10, 12, 8, 5, 2, 1, 6],
        "area_m2": [1000.0, 2000, 3000, 9000, 10000, 6000, 4000, 1500, 500, 3000],
    }
)
LABELS["count_share"] = LABELS["count"] / LABELS["count"].sum() * 100
LABELS["area_share"] = LABELS["area_m2"] / LABELS["area_m2"].sum() * 100


def test_label_chart():
    svg = charts.label_chart(LABELS, 2024)
    check_svg(svg, "energimærke i 2024")
    assert "Intet mærke" in svg and "Andel af opvarmet areal" in svg and "Andel af bygninger" in svg
    assert "25\u00a0%" in svg or "25&#160;%" in svg  # C: 10000 of 40000 m²


def test_fleet_chart_labels_carry_the_group():
    counts = kpis.fleet_counts(
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
    assert charts.fleet_chart(kpis.fleet_counts(kpis.empty_frame("fleet")), 2024) is None
    assert charts.actions_chart(pd.DataFrame({"status": [], "actions": []}), 2024) is None
