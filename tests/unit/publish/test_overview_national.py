"""Issue 13, item 5: the year overview for 6, 29 and all 98 municipalities. Municipalities are rows, grouped
by region; KPIs are columns under a header that stays in view; per KPI a spread chart with a text
alternative, each municipality's rank (and "bagud" in the worst quarter) and its peer group's median."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from pipeline import formatting, peer_groups, registry
from pipeline.account.kpis.meta import all_defs
from pipeline.publish import comparison, overview
from tests.factories import overview_year, synthetic_kpi_table

# Hand-computed peer medians: the three storbykommuner (Odense 461, Aarhus 751, Aalborg 851).
HOUSEHOLD, PLASTIC = "household_recycling_rate", "plastic_recycling_rate"
OVERRIDES = {(461, HOUSEHOLD): 30.0, (751, HOUSEHOLD): 50.0, (851, HOUSEHOLD): 55.0,  # median 50 of 3
             (461, PLASTIC): 30.0, (751, PLASTIC): 50.0, (851, PLASTIC): None}       # median 40 of 2
DANISH_REGIONS = ["Region Hovedstaden", "Region Midtjylland", "Region Nordjylland", "Region Sjælland",
                  "Region Syddanmark"]


def build(tmp_path, codes, blocked=()) -> tuple[str, BeautifulSoup]:
    paths = overview_year(tmp_path, synthetic_kpi_table(codes, overrides=OVERRIDES), blocked=blocked)
    overview.write_year(paths, tmp_path / "no-targets", generated="nu")
    html = paths.index.read_text(encoding="utf-8")
    return html, BeautifulSoup(html, "html.parser")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    return build(tmp_path_factory.mktemp("national"), list(registry.load()))


def compare_table(soup):
    return soup.find("table", class_="compare")


def row_names(table) -> list[str]:
    return [th.get_text(" ", strip=True) for th in table.select('tbody th[scope="row"]')]


def test_one_row_per_municipality_grouped_by_region_in_danish_order(national):
    _, soup = national
    table = compare_table(soup)
    names = row_names(table)
    assert len(names) == 98 and sorted(names) == sorted(m.name for m in registry.load().values())
    regions = [th.get_text(strip=True) for th in table.select('th[scope="rowgroup"]')]
    assert regions == DANISH_REGIONS
    for body in table.find_all("tbody"):
        region = body.find("th", scope="rowgroup").get_text(strip=True).removeprefix("Region ")
        names = row_names(body)
        assert names == sorted(names, key=formatting.danish_sort_key)
        assert {registry.get(c).name for c, m in registry.load().items() if m.region == region} == set(names)
    hovedstaden = row_names(table.find_all("tbody")[0])
    assert len(hovedstaden) == 29 and hovedstaden[-1] == "Vallensbæk"
    # the publication table is grouped the same way (it keeps the code before the name)
    status_table = soup.find("table", class_="data")
    assert [th.get_text(strip=True) for th in status_table.select('th[scope="rowgroup"]')] == DANISH_REGIONS
    assert len(status_table.select('tbody th[scope="row"]')) == 98


def test_kpis_are_columns_under_a_sticky_header_in_a_labelled_scroll_region(national):
    _, soup = national
    table = compare_table(soup)
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers == ["Kommune", "Kommunegruppe"] + [d.title_da for d in all_defs().values()]
    region = table.parent
    assert region["role"] == "region" and region["tabindex"] == "0" and "sticky-table" in region["class"]
    assert soup.find(id=region["aria-labelledby"]).name == "caption"
    style = soup.find("style").get_text()
    assert ".table-scroll.sticky-table { max-height: 80vh; overflow: auto; }" in style
    assert ".sticky-table thead th { position: sticky; top: 0;" in style
    assert ".sticky-table tbody th { position: sticky; left: 0;" in style


def test_every_cell_keeps_its_value_and_badge_and_says_where_the_municipality_stands(national):
    _, soup = national
    rows = compare_table(soup).select("tbody tr:not(.region-row)")
    cells = [td for tr in rows for td in tr.find_all("td")[1:]]
    assert len(cells) == 98 * len(all_defs())
    assert all(td.find("span", class_="status") for td in cells)
    aarhus = next(tr for tr in rows if tr.th.get_text(strip=True) == "Aarhus")
    assert aarhus.td.get_text(strip=True) == "Storbykommuner"
    kpi_ids = list(all_defs())
    household = aarhus.find_all("td")[1 + kpi_ids.index(HOUSEHOLD)].get_text(" ", strip=True)
    assert household.startswith("50\u00a0%") and "som gruppen (50\u00a0%)" in household
    assert "nr. " in household and " af 9" in household
    emissions = aarhus.find_all("td")[1 + kpi_ids.index("emissions_total_t_co2e")].get_text(" ", strip=True)
    assert "nr. " not in emissions and "gruppen" not in emissions, "tonnes depend on size: not ranked"
    behind = [td for td in cells if td.find(class_="behind")]
    assert behind and all("bagud" in td.get_text() for td in behind)


def test_peer_group_medians_are_right_for_a_hand_computed_case(national):
    _, soup = national
    table = soup.find("table", class_="group-medians")
    columns = [th.get_text(strip=True) for th in table.select("thead th")]
    assert columns == ["Nøgletal", "Alle kommuner", *peer_groups.GROUPS]
    by_kpi = {tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
              for tr in table.select("tbody tr")}
    city = columns.index("Storbykommuner") - 1
    assert by_kpi[all_defs()[HOUSEHOLD].title_da][city] == "50\u00a0% (3)"
    assert by_kpi[all_defs()[PLASTIC].title_da][city] == "40\u00a0% (2)"
    rows = {tr.th.get_text(strip=True): tr for tr in compare_table(soup).select("tbody tr:not(.region-row)")}
    plastic = 1 + list(all_defs()).index(PLASTIC)
    assert "dårligere end gruppen (40\u00a0%)" in rows["Odense"].find_all("td")[plastic].get_text(" ")
    assert "bedre end gruppen (40\u00a0%)" in rows["Aarhus"].find_all("td")[plastic].get_text(" ")
    assert "gruppen" not in rows["Aalborg"].find_all("td")[plastic].get_text(" "), "no value, no comparison"


def test_every_kpi_has_a_spread_chart_with_a_text_alternative(national):
    _, soup = national
    for kpi_id, d in all_defs().items():
        section = soup.find(id=f"spredning-{kpi_id}").parent
        svg = section.find("figure").find("svg")
        assert svg["role"] == "img" and svg["aria-label"].startswith(f"Prikdiagram: {d.title_da} i 2024")
        assert svg.find("title").get_text() == svg["aria-label"]
        summary = section.find("p").get_text()
        assert summary.startswith("Median ") and "laveste" in summary and "højeste" in summary
        assert "kommuner med en værdi" in summary and summary in svg["aria-label"]
    assert len(soup.select("figure svg")) == len(all_defs())
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "ids are unique on the page"


def test_the_page_loads_nothing_from_outside(national):
    html, soup = national
    assert not soup.find_all(["script", "link", "img", "iframe", "object", "embed"])
    assert not [tag for tag in soup.find_all(src=True)]
    assert all(a["href"].startswith(("#", "validation/", "kpis.")) or a["href"].endswith(".html")
               for a in soup.find_all("a", href=True))
    assert not [u for u in soup.select("[href]") if "://" in u["href"]]
    for needle in ("@import", "url(http", "url(//", "<use"):
        assert needle not in html
    assert "Danmarks Statistik" in soup.find("p", class_="note").get_text()


def test_spread_ranks_and_quarters_on_a_hand_computed_case():
    d = all_defs()
    values = pd.DataFrame({"code": [1, 2, 3, 4, 5, 6], "name": list("ABCDEF"),
                           "group": ["Landkommuner"] * 3 + ["Storbykommuner"] * 3,
                           "value": [10.0, 20.0, 30.0, 40.0, 60.0, 60.0]})
    up = comparison.spread(d[HOUSEHOLD], values)           # higher is better
    assert (up.n, up.median, up.lowest, up.highest) == (6, 35.0, 10.0, 60.0)
    assert up.highest_names == ("E", "F") and up.group_medians["Landkommuner"] == (20.0, 3)
    p = comparison.positions(up)
    assert [p[c].rank for c in range(1, 7)] == [6, 5, 4, 3, 1, 1]
    assert [p[c].behind for c in range(1, 7)] == [True, True, False, False, False, False]  # q1 = 22,5
    assert [p[c].versus for c in (1, 2, 3)] == ["dårligere end", "som", "bedre end"]
    down = comparison.positions(comparison.spread(d["residual_waste_share"], values))  # lower is better
    assert [down[c].rank for c in range(1, 7)] == [1, 2, 3, 4, 5, 5]
    assert [down[c].behind for c in range(1, 7)] == [False, False, False, False, True, True]  # q3 = 55
    assert down[1].versus == "bedre end"
    few = comparison.positions(comparison.spread(d[HOUSEHOLD], values.head(3)))
    assert not any(pos.behind for pos in few.values()), "no quarters with fewer than 4 values"
    assert comparison.positions(comparison.spread(d["lca_projects_count"], values)) == {}
    assert comparison.spread(d[HOUSEHOLD], values.assign(value=float("nan"))).n == 0


@pytest.mark.parametrize("codes", [[151, 665, 730, 741, 751, 766],  # the sample run's six
                                   [c for c, m in registry.load().items() if m.region == "Hovedstaden"]])
def test_the_overview_works_for_the_sample_and_a_regional_secretariat(tmp_path, codes):
    blocked = [codes[-1]]
    _, soup = build(tmp_path, codes[:-1], blocked=blocked)
    names = row_names(compare_table(soup))
    assert len(names) == len(codes) - 1 and registry.get(blocked[0]).name not in names
    assert len(soup.select("table.data")[0].select('tbody th[scope="row"]')) == len(codes)
    assert len(soup.select("figure svg")) == len(all_defs())


def test_the_spread_is_told_in_words_without_claiming_a_difference_nobody_can_see():
    d = all_defs()[HOUSEHOLD]
    values = pd.DataFrame({"code": [1, 2, 3, 4, 5], "name": ["Læsø", "Fanø", "Samsø", "Ærø", "Odder"],
                           "group": ["Landkommuner"] * 5, "value": [64.6, 65.4, 64.6, 64.6, 64.6]})
    text = comparison.spread(d, values).summary_da(2024)
    assert text == ("Median 65\u00a0%, laveste 64,6\u00a0% (Læsø, Odder, Samsø og Ærø), højeste 65,4\u00a0% "
                    "(Fanø); 5 kommuner med en værdi."), "decimals enough to tell the extremes apart"
    more = pd.concat([values, values.head(1).assign(code=6, name="Allerød")], ignore_index=True)
    assert "laveste 64,6\u00a0% (Allerød, Læsø, Odder og 2 andre)" in comparison.spread(d, more).summary_da(2024)
    same = comparison.spread(d, values.assign(value=100.0)).summary_da(2024)
    assert same == "Alle 5 kommuner med en værdi har 100\u00a0%."
    assert comparison.spread(d, values.head(0)).summary_da(2024).startswith("Ingen af kommunerne har en værdi")
