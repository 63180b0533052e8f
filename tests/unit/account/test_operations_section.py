"""The section 'Kommunen som virksomhed' from hand-computable deliveries (tests/unit/account/operations/cases)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from pipeline import registry
from pipeline.account import sections
from pipeline.account.operations import OperationsSettings, history
from tests.unit.account.operations import cases


def account(tables, year=2024, settings=None):
    charts: dict = {}

    def chart(key, make):
        if key not in charts:
            charts[key] = make()
        return charts[key]

    muni = registry.get(cases.CODE)
    return SimpleNamespace(municipality=muni, official_name=muni.official_name, year=year, chart=chart,
                           operations=history(tables, cases.CODE, settings, until=year), sample_data=False)


def tables_for(*years):
    return {y: {"buildings": cases.buildings(y), "building_energy": cases.energy(y),
                "transport_energy": cases.transport(y)} for y in years}


@pytest.fixture(scope="module")
def page():
    html = sections.render("operations", account(tables_for(2023, 2024), settings=OperationsSettings(
        reference_year=2023)))
    return BeautifulSoup(html, "html.parser")


def test_the_readings_give_heat_electricity_water_and_co2e_in_danish(page):
    text = page.get_text(" ")
    # heat of the buildings with a known area: B1 100.000 + B2 110.000 kWh over 3.000 m² = 70,0 kWh/m²
    assert "brugte Ballerup Kommunes bygninger 70,0\u00a0kWh pr. m² opvarmet areal til varme" in text
    # electricity 100.000 kWh over 3.000 m² = 33,3 kWh/m²; 105.000 kWh in all (B3 has no area) = 105 MWh
    assert "Elforbruget var 33,3\u00a0kWh pr. m² (105\u00a0MWh i alt)" in text
    assert "Bygningerne brugte 850\u00a0m³ vand" in text
    assert "Tallet er ikke graddagskorrigeret: der er ingen graddage for 2024" in text
    assert "Kommunens egen drift udledte" in text and "bygningerne" in text and "transporten" in text


def test_the_estimated_share_is_a_caveat(page):
    note = page.find("p", class_="notice")
    assert note is not None and "1 af 3 bygninger (33\u00a0%) har estimerede" in note.get_text(" ")


def test_charts_have_tables_and_the_effort_table_sums(page):
    assert len(page.find_all("svg")) == 3, "heat per m² by use, CO2e by source, own effort vs supply"
    for svg in page.find_all("svg"):
        assert svg.get("role") == "img" and len(svg.get("aria-label", "")) > 40, "every chart has a text alternative"
    captions = [c.get_text() for c in page.find_all("caption")]
    assert any("fordelt på anvendelse og år" in c for c in captions)
    assert any("fordelt på kilde og år" in c for c in captions)
    effort = page.find("table", class_="operations-effort-table")
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in effort.find_all("tr")[1:]]
    assert [r[0] for r in rows] == ["Ændring 2023–2024", "Egen indsats", "Renere forsyning"]
    # the same use in both years: no own effort; the whole change comes from the factors (el and district
    # heating fall from 2023 to 2024 in BR18), shown as a fall with a typographic minus
    assert rows[1][1] == "0\u00a0t CO₂e" and rows[0][1] == rows[2][1] and rows[0][1].startswith("\u2212")


def test_the_worst_labelled_buildings_list_and_every_factor_with_its_source(page):
    worst = page.find("table", class_="operations-worst-table")
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in worst.find_all("tr")[1:]]
    assert rows == [["B1 Rådhuset", "kontor", "D", "1.000", "100,0", "målt"]], "only the D–G building"
    factors = page.find("table", class_="operations-factors-table").get_text(" ")
    assert "BR18" in factors and "interpoleret lineært mellem 2023 og 2025" in factors
    assert "Kørsel i egen bil: benzin" in factors and "50.000\u00a0km" in factors


def test_a_municipality_without_the_datasets_gets_a_plain_sentence():
    html = sections.render("operations", account({2024: {"buildings": cases.buildings(2024)}}))
    assert "har ikke indberettet energi- og vandforbrug" in html and "<table" not in html
