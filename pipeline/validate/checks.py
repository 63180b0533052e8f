"""Checks outside Great Expectations: delivery completeness, year-over-year bounds, and the rules of a
dataset that GX cannot express (DATASET_RULES, evaluated in pipeline.validate.series)."""

from __future__ import annotations

import logging
import math

import pandas as pd

from pipeline import schema
from pipeline.account.kpis.meta import kpis_for
from pipeline.schema import SEVERITIES

log = logging.getLogger(__name__)

__all__ = ["SEVERITIES", "kpis_for"]
SEVERITY_RANK = {"info": 1, "warning": 2, "critical": 3}

# Rules checked in plain Python, described like the GX expectations so reports treat them alike.
CHECK_TYPE = "pipeline_check"
RULES: dict[str, dict] = {
    "delivery_not_empty": {
        "severity": "critical",
        "description": "Kommunen har leveret mindst ét datasæt",
        "notes": "En kommune, der ikke har leveret et eneste datasæt for året, kan ikke få et "
        "grønt regnskab; "
        "en tom rapport ville se ud som et regnskab uden aktivitet.",
    },
    "datasets_complete": {
        "severity": "warning",
        "description": "Alle fem datasæt er leveret",
        "notes": "En kommune, der har leveret nogle datasæt men ikke andre, får sit regnskab "
        "offentliggjort, "
        "men nøgletallene fra de manglende datasæt vises som 'mangler data' med et forbehold. "
        "Beskytter mod, at et manglende datasæt bliver læst som et nul.",
    },
    "targets_file_valid": {
        "severity": "critical",
        "description": "Målfilen kan læses og er gyldig",
        "notes": "Kommunens målfil (data/raw/targets/<kommunekode>.yaml) skal være gyldig YAML gemt som "
        "UTF-8 og må kun nævne kendte nøgletal, med et helt årstal og et tal i det tilladte interval "
        "dér, hvor der skal stå tal, et målår efter udgangsåret, en gyldig klimablok (climate) og en gyldig blok "
        "for kommunen som virksomhed (operations: referenceår, egne emissionsfaktorer og graddage med kilde). Hvert "
        "problem står med fil, linje, nøgle, værdi og hvad der var forventet. Beskytter mod et regnskab, "
        "der måler kommunen mod et forkert eller kun delvist læst mål. Har kommunen ingen målfil, "
        "vurderes reglen ikke, og alle nøgletal vises som 'mangler mål'.",
    },
}
# The rules cross_table_checks decides from the datasets delivered (targets_file_valid: validate.targets_check).
COMPLETENESS_RULES = ("delivery_not_empty", "datasets_complete")

# Rules of one dataset that compare rows with each other (per data year, across data years), which a
# GX expectation cannot express. They run on each municipality's own rows of a delivered dataset,
# next to its GX suite, and are reported like its expectations (pipeline.validate.series).
DATASET_RULES: dict[str, dict[str, dict]] = {
    "emissions": {
        "emissions_sectors_add_up": {
            "severity": "critical",
            "description": "Sektorerne summerer til totalen (højst 0,5 % afvigelse)",
            "notes": "For hvert dataår og hver enhed skal summen af sektorerne svare til totalen med "
            "landbrug, og summen uden landbrug og arealanvendelse til totalen uden landbrug, med højst "
            "0,5 % afvigelse (af summen af sektorernes absolutte værdier, så en negativ landbrugssektor "
            "ikke gør grænsen urimeligt lille). Beskytter mod en total, der ikke hænger sammen med "
            "sektorerne, fx fordi en sektor mangler, er talt med to gange eller har fået forkert fortegn.",
            "tolerance_pct": 0.5,
        },
        "emissions_data_years_contiguous": {
            "severity": "warning",
            "description": "Dataårene følger efter hinanden uden huller",
            "notes": "Udgaven skal dække en sammenhængende række af dataår (fx 2018–2022). Et hul "
            "ville få en kurve til at trække en ret linje hen over et år, der ikke er opgjort. "
            "Beskytter mod et glemt eller forkert nummereret år.",
        },
        "emissions_sector_year_to_year": {
            "severity": "warning",
            "description": "Ingen sektor ændrer sig mere end ±25 % fra et dataår til det næste",
            "notes": "En sektor, hvis udledning (ton CO2e) stiger eller falder mere end 25 % fra et "
            "dataår til det næste, er mulig (en fabrik lukker), men oftere en fejl (forkert enhed, "
            "en sektor byttet om). Sektorer under 1 % af totalen i begge år vurderes ikke, fordi små "
            "tal svinger meget i procent uden at betyde noget. Beskytter mod et spring, der ellers "
            "ville blive læst som en reel reduktion.",
            "max_relative_change_pct": 25,
            "materiality_pct": 1,
        },
        "emissions_restated": {
            "severity": "info",
            "description": "Tal for tidligere dataår er uændret siden sidste års udgave",
            "notes": "Energistyrelsen retter tidligere års tal, når nye datakilder tages i brug. En "
            "ændring er ikke en fejl, men revisoren skal kunne se den: hver ændret værdi (dataår, "
            "sektor og enhed) står her med begge tal, og regnskabet viser ændringen under "
            "\u201eReviderede år\u201c. Beskytter mod, at historikken bliver skrevet om uden et ord.",
        },
    },
    # building_energy against the buildings (heated area, use) and last year's delivery
    # (pipeline.validate.plausibility): heat is district heating + natural gas + heating oil in kWh.
    "building_energy": {
        "building_energy_heat_per_m2_plausible": {
            "severity": "warning",
            "description": "Ingen bygnings varmeforbrug pr. m² er over 3 × medianen for dens anvendelse",
            "notes": "Varmeforbruget (fjernvarme, naturgas og fyringsolie omregnet til kWh med faktorerne i "
            "data/reference/energy_per_unit.csv) pr. m² opvarmet areal sammenlignes med medianen for "
            "kommunens bygninger med samme anvendelse (kolonnen use i bygningslisten) i samme år. Over 3 × "
            "medianen skyldes typisk en forkert enhed (MWh skrevet som kWh, et ekstra nul), et forkert areal "
            "eller forbrug fra flere bygninger på én måler. En anvendelse med færre end tre bygninger vurderes "
            "ikke. Vises for revisoren uden forbehold ved nøgletallene, fordi forbruget kan være reelt (fx en "
            "svømmehal registreret som idrætsanlæg); et spring fra sidste år giver et forbehold "
            "(building_energy_heat_year_over_year).",
            "measure": "heat", "check": "per_m2", "max_ratio_to_median": 3, "min_buildings": 3, "kpis": [],
        },
        "building_energy_electricity_per_m2_plausible": {
            "severity": "warning",
            "description": "Ingen bygnings elforbrug pr. m² er over 3 × medianen for dens anvendelse",
            "notes": "Elforbruget pr. m² opvarmet areal sammenlignes med medianen for kommunens bygninger med "
            "samme anvendelse (kolonnen use i bygningslisten) i samme år. Over 3 × medianen skyldes typisk en "
            "forkert enhed, et forkert areal eller en måler, der også dækker andet end bygningen (fx "
            "vejbelysning eller ladestandere). En anvendelse med færre end tre bygninger vurderes ikke. Vises "
            "for revisoren uden forbehold ved nøgletallene, fordi forbruget kan være reelt; et spring fra "
            "sidste år giver et forbehold (building_energy_electricity_year_over_year).",
            "measure": "electricity", "check": "per_m2", "max_ratio_to_median": 3, "min_buildings": 3,
            "kpis": [],
        },
        "building_energy_heat_year_over_year": {
            "severity": "warning",
            "description": "Ingen bygnings varmeforbrug har ændret sig mere end ±30 % fra sidste år",
            "notes": "En bygnings varmeforbrug (fjernvarme, naturgas og fyringsolie i kWh) ændrer sig sjældent "
            "mere end ±30 % fra ét år til det næste; vejret flytter typisk 5–15 %. En større ændring skyldes "
            "oftest en fejlaflæsning, en forkert enhed, en måler der er skiftet, eller at bygningen har været "
            "lukket eller ombygget. Sammenlignes med samme bygning (building_id) i sidste års leverance; en "
            "bygning uden forbrug sidste år vurderes ikke. Giver et forbehold ved nøgletallene, fordi "
            "ændringen ellers ville blive læst som en reel besparelse eller stigning.",
            "measure": "heat", "check": "year_over_year", "max_relative_change_pct": 30,
        },
        "building_energy_electricity_year_over_year": {
            "severity": "warning",
            "description": "Ingen bygnings elforbrug har ændret sig mere end ±30 % fra sidste år",
            "notes": "En bygnings elforbrug ændrer sig sjældent mere end ±30 % fra ét år til det næste. En "
            "større ændring skyldes oftest en fejlaflæsning, en forkert enhed, en ny måler eller en varmepumpe "
            "eller ladestander, der er kommet til. Sammenlignes med samme bygning (building_id) i sidste års "
            "leverance; en bygning uden forbrug sidste år vurderes ikke. Giver et forbehold ved nøgletallene, "
            "fordi ændringen ellers ville blive læst som en reel besparelse eller stigning.",
            "measure": "electricity", "check": "year_over_year", "max_relative_change_pct": 30,
        },
    },
}

YEAR_OVER_YEAR = "year_over_year"


def severity_rank(severity: str | None) -> int:
    """0 for None, then info < warning < critical."""
    return SEVERITY_RANK.get(severity or "", 0)


def highest_severity(severities) -> str | None:
    """The most severe of the given severities, or None when there are none."""
    best = None
    for sev in severities:
        if severity_rank(sev) > severity_rank(best):
            best = sev
    return best


def dataset_rule(name: str) -> dict:
    """The definition of a rule in DATASET_RULES."""
    return next(rules[name] for rules in DATASET_RULES.values() if name in rules)


def completeness(year: int, delivered: list[str]) -> list[dict]:
    """Missing datasets: critical when nothing was delivered, else one warning per required dataset
    (an optional dataset, such as emissions, may be left out)."""
    missing = [d for d in schema.REQUIRED_DATASETS if d not in delivered]
    if not delivered:
        return [_check_failure(
            "delivery_not_empty", None,
            f"Kommunen har ikke leveret nogen af de fem datasæt for {year}; der kan ikke udarbejdes "
            f"et grønt regnskab. Læg leverancerne i data/raw/{year}/<kommunekode>/.")]
    return [
        _check_failure(
            "datasets_complete", d,
            f"Datasættet {schema.DATASETS[d].danish_name.lower()} ({d}) er ikke leveret for {year}; "
            "nøgletal, der beregnes herfra, vises som 'mangler data'.")
        for d in missing
    ]


def _check_failure(rule_name: str, dataset: str | None, message: str) -> dict:
    """A failed non-GX check in the same shape as a GX failure row."""
    rule = RULES[rule_name]
    return {"dataset": dataset, "rule": rule_name, "expectation_type": CHECK_TYPE, "column": None,
            "severity": rule["severity"], "note": rule["notes"], "source_file": None, "row": None,
            "value": None, "message": message}


def previous_value(expectation: dict, previous: pd.DataFrame | None) -> float | None:
    """Last year's value a year-over-year rule compares with; None when there is no basis."""
    if previous is None or len(previous) == 0:
        return None
    if expectation["type"] == "expect_table_row_count_to_be_between":
        return float(len(previous))
    if expectation["type"] == "expect_column_sum_to_be_between":
        column = expectation["kwargs"]["column"]
        if column not in previous.columns:
            return None
        return float(pd.to_numeric(previous[column], errors="coerce").sum())
    raise ValueError(
        f"year-over-year rule {expectation['meta']['rule']} uses {expectation['type']}; only "
        "expect_table_row_count_to_be_between and expect_column_sum_to_be_between are supported"
    )


def year_over_year_bounds(expectation: dict, previous: float) -> tuple[float, float]:
    """(min, max) allowed: last year's value ± max_relative_change_pct; counts round inwards."""
    share = expectation["meta"]["max_relative_change_pct"] / 100
    low, high = round(previous * (1 - share), 9), round(previous * (1 + share), 9)
    if expectation["type"] == "expect_table_row_count_to_be_between":
        return math.ceil(low), math.floor(high)
    return low, high


def year_over_year_change(observed: float, previous: float) -> float:
    """Relative change in percent (positive = growth)."""
    return (observed - previous) / previous * 100
