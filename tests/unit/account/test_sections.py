"""The green account (account.model) and its HTML sections, from a tiny processed tree and KPI table on disk."""

import dataclasses
import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

import pipeline
from pipeline import config, provenance
from pipeline.account import kpi_table, model, sections, status
from pipeline.account.kpis import KPI_DEFS
from pipeline.account.sections import footer
from pipeline.schema import DATASETS
from pipeline.validate import load_summary
from tests.factories import processed_tree

NBSP = "\u00a0"
EVIL = "<script>alert(1)</script> & Co"


def fleet(n_cars, zero, vans_el, vans):
    rows = [
        (f"P{i}", "personbil", "el" if i < zero else "diesel", "2020-01-01") for i in range(n_cars)
    ]
    rows += [
        (f"V{i}", "varebil", "el" if i < vans_el else "diesel", "2020-01-01") for i in range(vans)
    ]
    return rows


def deliveries(year):
    """151 (Ballerup) delivers everything; 153 (Brøndby) delivers only its fleet."""
    up = year - 2023
    return {
        151: {
            "fleet": fleet(40, 12 + 6 * up, 1, 4),  # 2023: 30 %, 2024: 45 %
            "waste": [
                ("madaffald", "genanvendelse", 1000.0 + 234.5 * up),
                ("plast", "genanvendelse", 200.0),
                ("plast", "forbraending", 300.0),
                ("restaffald", "forbraending", 1500.0),
            ],
            "buildings": [
                ("B1", "Skolen <b>nord</b> & syd", "skole", 1234.5, "D", "2030-01-01"),
                ("B2", "Rådhuset", "kontor", 2000.0, "B", "2022-01-01"),
                ("B3", "Hallen", "idrætshal", 800.0, None, None),
            ],
            "construction_projects": [
                ("PR1", "B1", "nybyggeri", f"{year}-05-01", 1500.0, "ja", 11.5, 10.0),
                ("PR2", "B2", "renovering", f"{year}-06-01", 500.0, "nej", None, None),
            ],
            "actions": [
                (
                    "H1",
                    "Transport",
                    EVIL,
                    "selv",
                    "i_gang",
                    1234.0,
                    "zero_emission_share_passenger_cars",
                ),
                ("H2", "Affald", "Ny genbrugsplads", "faellesskab", "gennemfoert", 80.0, None),
                (
                    "H3",
                    "Æblehaven",
                    "Frugttræer",
                    "medejer",
                    "forsinket",
                    None,
                    "plastic_recycling_rate",
                ),
            ],
        },
        153: {"fleet": fleet(10, 2 + up, 0, 2)},
    }


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("ga")
    processed, targets, reports = root / "processed", root / "targets", root / "reports"
    validation = reports / "2024" / "validation"
    for d in (targets, validation):
        d.mkdir(parents=True)
    processed_tree(processed, {year: deliveries(year) for year in (2023, 2024)})
    (targets / "151.yaml").write_text(
        "municipality_code: 151\n"
        'source: "Ballerup Kommunes klimahandlingsplan (DK2020) & opfølgning"\n'
        "sample_data: true\n"
        "targets:\n"
        "  zero_emission_share_passenger_cars:\n    target: {year: 2030, value: 100}\n"
        "  household_recycling_rate:\n    baseline: {year: 2019, value: 30.0}\n"
        "    target: {year: 2030, value: 60.0}\n"
        "  residual_waste_share:\n    target: {year: 2030, value: 30.0}\n",
        encoding="utf-8",
    )
    summary = {
        "municipality_code": 151,
        "municipality": "Ballerup",
        "year": 2024,
        "status": "published",
        "highest_failed_severity": "warning",
        "datasets_delivered": list(DATASETS),
        "datasets_missing": [],
        "rules_checked": 57,
        "failures": {"critical": 0, "warning": 1, "info": 0},
        "caveats": [
            {
                "dataset": "fleet",
                "kpis": ["zero_emission_share_passenger_cars"],
                "severity": "warning",
                "rule": "fleet_size_year_over_year",
                "message": "Vognparken er faldet med 40 % fra 2023 til 2024 <i>(over ±30 %)</i>.",
            }
        ],
        "failures_detail": [],
        "page": "validation/151-ballerup.html",
    }
    (validation / "151-ballerup.summary.json").write_text(json.dumps(summary), encoding="utf-8")
    caveats = {151: set(model.caveats_by_kpi(load_summary(validation / "151-ballerup.summary.json")))}
    kpi_table.run(paths(processed, reports, 2024), [151, 153], targets, caveats)
    kpi_table.run(paths(processed, reports, 2023), [151, 153], targets)
    return {"processed": processed, "targets": targets, "reports": reports}


def paths(processed, reports, year):
    return config.YearPaths(year, processed_root=processed, reports_root=reports)


def build(tree, code=151, year=2024):
    return model.load(code, paths(tree["processed"], tree["reports"], year), tree["targets"])


@pytest.fixture(scope="module")
def acc(tree):
    return build(tree)


@pytest.fixture(scope="module")
def html(acc):
    return "".join(sections.all_sections(acc))


@pytest.fixture(scope="module")
def brondby_html(tree):
    return "".join(sections.all_sections(build(tree, 153)))


def block(html_text, element_id):
    """The HTML of the <section id=element_id>, nested sections included."""
    start = html_text.index(f'<section id="{element_id}"')
    depth = 0
    for m in re.finditer(r"<section\b|</section>", html_text[start:]):
        depth += 1 if m.group() == "<section" else -1
        if depth == 0:
            return html_text[start : start + m.end()]
    raise AssertionError(f"unbalanced <section> for {element_id}")


def test_account_content(acc):
    assert acc.years == [2023, 2024]
    assert acc.official_name == "Ballerup Kommune"
    s = acc.summary.set_index("kpi_id")
    assert s.loc["zero_emission_share_passenger_cars", "value"] == pytest.approx(45.0)
    assert s.loc["lca_within_limit_share", "value"] == pytest.approx(100.0)
    assert (
        s.loc["zero_emission_share_passenger_cars", "status"] == status.ON_TRACK
    )  # baseline 30 % in 2023
    assert acc.sample_data


def test_kpi_values_in_danish_format(html):
    cars = block(html, "kpi-zero-emission-share-passenger-cars")
    assert f'<span class="kpi-value">45{NBSP}%</span>' in cars
    assert f"op fra 30{NBSP}% i 2023" in cars
    assert f"Målet er 100{NBSP}% i 2030." in cars
    assert "<svg" in cars and 'role="img"' in cars and "<figcaption>" in cars
    waste = block(html, "noegletal-waste")
    assert "1.234,5" in waste  # 1000 + 234,5 t madaffald in the fraction table
    assert "1.234" in block(html, "handlingsplan")  # reduction 1.234 t CO₂e
    assert "1. maj 2024" in block(html, "noegletal-lca")  # Danish date of completion


def test_status_badges_carry_text_and_symbol(html):
    summary = block(html, "sammendrag")
    assert "✔</span> på sporet" in summary
    assert "?</span> mangler mål" in summary


def test_a_warning_qualifies_the_badge_in_summary_and_section(html):
    """The fleet warning never leaves the green badge untouched (issue 9)."""
    qualified = "✔</span> på sporet – med forbehold</span>"
    assert qualified in block(html, "kpi-zero-emission-share-passenger-cars")
    summary = block(html, "sammendrag")
    assert summary.count("med forbehold</span>") == 1 and qualified in summary
    assert "valideringen fandt en advarsel" in summary
    assert "med forbehold" not in block(html, "kpi-zero-emission-share-vans")
    assert "1 status er givet med forbehold" in block(html, "indledning")


def test_caveat_next_to_the_affected_kpi(html):
    cars = block(html, "kpi-zero-emission-share-passenger-cars")
    assert "Forbehold:" in cars
    assert "Vognparken er faldet med 40" in cars
    assert "&lt;i&gt;(over ±30 %)&lt;/i&gt;" in cars  # escaped text, not markup
    assert "Forbehold" not in block(html, "kpi-zero-emission-share-vans")
    assert "Forbehold" not in block(html, "kpi-household-recycling-rate")


def test_delivery_text_is_escaped(html, acc):
    for section in sections.all_sections(acc):
        assert "<script" not in section.lower()
        assert "<b>nord</b>" not in section and "<i>" not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in block(html, "handlingsplan")
    assert "Skolen &lt;b&gt;nord&lt;/b&gt; &amp; syd" in block(html, "noegletal-lca")
    assert "klimahandlingsplan (DK2020) &amp; opfølgning" in html


def test_only_fleet_delivered_shows_mangler_data(brondby_html):
    html = brondby_html
    for kpi_id in (
        "household_recycling_rate",
        "residual_waste_share",
        "lca_projects_count",
        "energy_label_d_or_worse_share_area",
    ):
        sec = block(html, sections.kpi_anchor(kpi_id))
        assert 'class="kpi-value"' not in sec  # no number, only the badge
        assert "–</span> mangler data" in sec  # the badge
    cars = block(html, "kpi-zero-emission-share-passenger-cars")
    assert f"30{NBSP}%" in cars and "mangler mål" in cars  # no targets file for 153
    assert "Eksempeldata" not in html
    assert "Der foreligger ikke et valideringsresultat" in html
    assert "Kommunen har ikke indberettet handlingsplanens indsatser" in html
    assert "Ikke indberettet for 2024: Kommunale bygninger" in html


def test_sample_data_notice(html):
    assert "Eksempeldata" in block(html, "indledning")


def test_data_quality_section(html):
    dq = block(html, "datakvalitet")
    assert 'href="validation/151-ballerup.html"' in dq
    assert "57 regler" in dq
    assert "Vognparken er faldet med 40" in dq


def test_method_section(acc):
    m = sections.render("method", acc)
    assert f"12,0{NBSP}kg CO₂e/m²/år" in m and f"7,5{NBSP}kg CO₂e/m²/år" in m
    assert "1. juli 2025" in m and "1. januar 2023" in m
    assert "antager" in m  # the 8,0 for other building types is an assumption
    for d in KPI_DEFS.values():
        assert d.title_da in m
    # the operations account (issue 12): units as written, and the rules behind its factors and correction
    assert "Varmeforbrug pr. m² opvarmet areal (kWh/m², lavere er bedre)" in m
    assert "Egen indsats siden referenceåret (t CO₂e, lavere er bedre)" in m
    assert "det sidste års faktor (fastholdt)" in m and "normalår / årets graddage" in m
    assert "Forsyningens bidrag er årets forbrug" in m


def test_footer(acc):
    f = sections.render("footer", acc)
    assert f"version {pipeline.__version__}" in f
    assert "git-commit <code>" in f
    # the checksum table moved to the auditor's page; the citizen's page links to it
    assert "151" + "2024" + "fleet" not in f and "<table" not in f and "SHA-256" in f
    assert 'href="validation/151-ballerup.html#inddata"' in f
    assert "2023 og 2024" in f and "dens målfil" in f
    # 2 years × 5 datasets, the targets file and the registry
    assert footer.input_count(acc) == 12 and "12 filer" in f


def test_footer_shows_the_run_it_was_rendered_in(acc, monkeypatch):
    run = provenance.RunInfo("9.9.9", "abc1234", True, dt.datetime(2025, 3, 4, 10, 5, tzinfo=dt.UTC))
    monkeypatch.setenv(provenance.RUN_ENV, run.to_env())
    f = sections.render("footer", acc)
    assert "version 9.9.9" in f and "<code>abc1234</code> med lokale ændringer" in f
    assert "4. marts 2025 kl. 10:05" in f
    clean = dataclasses.replace(run, dirty=False)
    monkeypatch.setenv(provenance.RUN_ENV, clean.to_env())
    assert "lokale ændringer" not in sections.render("footer", acc)


def test_deterministic(tree, html):
    again = "".join(sections.all_sections(build(tree)))
    assert again == html


class Checker(HTMLParser):
    """Collects ids, headings, tables and links to check structure without a browser."""

    def __init__(self):
        super().__init__()
        self.ids, self.tables, self.captions, self.heading_text = [], 0, 0, {}
        self.open_heading, self.attrs_seen, self.th_without_scope = None, [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.attrs_seen.extend(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        if tag in ("h2", "h3", "h4"):
            self.open_heading = tag
            self.heading_text[len(self.heading_text)] = ""

    def handle_endtag(self, tag):
        if tag == self.open_heading:
            self.open_heading = None

    def handle_data(self, data):
        if self.open_heading:
            self.heading_text[len(self.heading_text) - 1] += data


@pytest.mark.parametrize("which", ["html", "brondby_html"])
def test_structure(which, request):
    page = request.getfixturevalue(which)
    c = Checker()
    c.feed(page)
    assert len(c.ids) == len(set(c.ids)), "ids must be unique on the page"
    assert c.tables == c.captions and c.tables > 0
    assert c.th_without_scope == 0
    assert all(t.strip() for t in c.heading_text.values()), "no empty headings"
    assert not [k for k, _ in c.attrs_seen if k.startswith("on")], "no inline event handlers"
    urls = set(re.findall(r"https?://[^\"'\s)<]*", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    for s in re.findall(r"<section [^>]*>", page):
        assert "aria-labelledby=" in s
    for target in re.findall(r'href="#([^"]+)"', page):
        assert target in c.ids or target in ("metode", "datakvalitet")
    assert page.count("<h2 ") == len(sections.SECTIONS) == 9 and "<h1" not in page


def test_missing_year_is_a_clear_error(tree):
    with pytest.raises(FileNotFoundError, match="make ingest YEAR=2031"):
        model.load(151, paths(tree["processed"] / "nope", tree["reports"], 2031), tree["targets"])


def test_missing_kpi_table_is_a_clear_error(tree, tmp_path):
    processed = processed_tree(tmp_path / "processed", {2024: deliveries(2024)})
    with pytest.raises(model.NoProcessedDataError, match="make report YEAR=2024"):
        model.load(151, paths(processed, tree["reports"], 2024), tree["targets"])


def test_earlier_year_account(tree):
    acc = build(tree, 151, 2023)
    assert acc.years == [2023]
    assert "2024" not in sections.render("summary", acc)


def test_blocked_validation_is_announced(tree):
    acc = build(tree)
    acc.validation = dataclasses.replace(acc.validation, status="blocked",
                                         failures={"critical": 2, "warning": 0, "info": 0})
    assert "kritiske" in sections.render("intro", acc)
    dq = sections.render("data_quality", acc)
    assert "Kritiske fejl:" in dq
    assert '<td class="num">2</td>' in dq


def test_official_names():
    from pipeline import registry

    assert registry.get(101).official_name == "Københavns Kommune"
    assert registry.get(400).official_name == "Bornholms Regionskommune"
    assert registry.get(751).official_name == "Aarhus Kommune"


def test_none_paths_mean_config_defaults(tree, monkeypatch):
    monkeypatch.setattr(config, "PROCESSED", tree["processed"])
    monkeypatch.setattr(config, "TARGETS", tree["targets"])
    monkeypatch.setattr(config, "REPORTS", tree["processed"].parent / "elsewhere")
    acc = model.from_parameters(151, 2024, processed_root=None, reports_root=None, targets_dir=None)
    assert acc.targets.sample_data and acc.validation is None


def test_actions_total_counts_live_actions_only(html):
    plan = block(html, "handlingsplan")
    # H1 (i gang, 1.234 t) + H2 (gennemført, 80 t); H3 is delayed without a figure
    assert f"forventes samlet at reducere udledningen med 1.314{NBSP}t CO₂e i 2030" in plan
    assert "i fare" not in plan.split("</p>")[1], "no at-risk sentence when no delayed action has a figure"


def test_a_single_measured_year_is_not_a_span(brondby_html, tree):
    acc = build(tree, 153, 2023)
    cars = block("".join(sections.all_sections(acc)), "kpi-zero-emission-share-passenger-cars")
    assert "Personbiler på el eller brint, 2023." in cars and "2023–2023" not in cars
