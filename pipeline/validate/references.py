"""Rules on a column that refers to another dataset: every construction project's and every building energy
row's building_id is a building the municipality delivered for the year. Checked when both datasets are delivered, reported like the
dataset's own rules, each failure naming the file, row, column and value.

(An action's `kpi` refers to the KPI metadata; GX checks it, `actions_kpi_known`, against the ids in
pipeline/account/kpis/*.meta.yml, and tests/unit/validate/test_expectations.py keeps the two equal.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import pandas as pd

from pipeline import schema
from pipeline.account.kpis.lca import use_decides_judgement
from pipeline.validate import checks
from pipeline.validate.messages import (
    column_ref,
    count_text,
    location,
    raw_value,
    row_ref,
    value_phrase,
)
from pipeline.validate.outcomes import ERROR, FAILED, PASSED, SKIPPED, rule_row

log = logging.getLogger(__name__)


# rule → what refers to what, in which rows, and what a dangling reference breaks (its severity).
RULES: dict[str, dict] = {
    "construction_projects_building_known_for_br18": {
        "dataset": "construction_projects", "column": "building_id", "refers_to": ("buildings", "building_id"),
        "rows": use_decides_judgement,
        "rows_da": "nybyggeri afsluttet fra 1. juli 2025 med et LCA-resultat",
        "severity": "critical",
        "kpis": ["lca_within_limit_share"],
        "description": "Nybyggeri, hvis BR18-grænse afhænger af bygningens anvendelse, henviser til en "
        "leveret bygning",
        "notes": "For nybyggeri afsluttet fra 1. juli 2025 afhænger BR18's grænseværdi af bygningens "
        "anvendelse (kontor og etagebolig 7,5, institutioner 8,0 kg CO2e/m²/år), som hentes fra "
        "bygningslisten via building_id. Står bygningen ikke i bygningslisten, bruges grænsen for øvrige "
        "bygninger, og nøgletallet 'andel af projekter inden for grænseværdien' kan blive beregnet "
        "forkert. Derfor kritisk: rapporten blokeres, til id'et er rettet, eller bygningen er med i "
        "bygningslisten. Beskytter mod et nøgletal, der bygger på en gættet grænseværdi.",
    },
    "construction_projects_building_known": {
        "dataset": "construction_projects", "column": "building_id", "refers_to": ("buildings", "building_id"),
        "rows": lambda frame: ~use_decides_judgement(frame),
        "rows_da": "",
        "severity": "warning",
        "kpis": [],
        "description": "Projektets building_id står i bygningslisten",
        "notes": "Hvert bygge- og renoveringsprojekt skal henvise til en bygning i kommunens bygningsliste "
        "for samme år. En ukendt henvisning er typisk en tastefejl i id'et eller en bygning, der mangler i "
        "bygningslisten. LCA-nøgletallene beregnes stadig rigtigt (projektet tælles med, og grænseværdien "
        "afhænger ikke af bygningen), men rapporten kan ikke vise bygningens navn; derfor en advarsel og "
        "intet forbehold ved nøgletallene. Når bygningens anvendelse afgør BR18-grænsen, er fejlen kritisk "
        "(construction_projects_building_known_for_br18). Beskytter mod projekter, der offentliggøres "
        "uden at høre til en kendt bygning.",
    },
    "building_energy_building_known": {
        "dataset": "building_energy", "column": "building_id", "refers_to": ("buildings", "building_id"),
        "rows": lambda frame: pd.Series(True, index=frame.index),
        "rows_da": "",
        "severity": "critical",
        "kpis": None,  # the KPIs computed from building_energy (checks.kpis_for)
        "description": "Forbrugets building_id står i bygningslisten",
        "notes": "Hver række med energi- og vandforbrug skal høre til en bygning i kommunens bygningsliste "
        "(buildings) for samme år, fordi forbruget pr. m² beregnes med bygningens opvarmede areal og "
        "sammenlignes inden for dens anvendelse. En ukendt bygning har intet areal: dens forbrug ville tælle "
        "med i kommunens samlede forbrug og CO2e, men ikke i arealet, så varme, el og vand pr. m² bliver for "
        "høje. Derfor kritisk: rapporten blokeres, til id'et er rettet, eller bygningen er med i "
        "bygningslisten. Beskytter mod forbrug, der ikke kan knyttes til en kendt bygning (typisk en tastefejl "
        "i id'et eller en bygning, der er solgt).",
    },
}


def rules_for(dataset: str) -> dict[str, dict]:
    """The reference rules on a dataset's columns."""
    return {name: rule for name, rule in RULES.items() if rule["dataset"] == dataset}


def check(dataset: str, frames: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> tuple[list[dict], list[dict]]:
    """Rule outcomes and failure rows of DATASET's reference rules on one municipality's FRAMES (every
    delivered dataset's rows; FILES: dataset → delivery file)."""
    rules, failures = [], []
    for name, rule in rules_for(dataset).items():
        target, key = rule["refers_to"]
        base = {"dataset": dataset, "rule": name, "expectation_type": checks.CHECK_TYPE,
                "column": rule["column"], "severity": rule["severity"], "description": rule["description"],
                "note": rule["notes"],
                "kpis": checks.kpis_for(dataset) if rule["kpis"] is None else list(rule["kpis"])}
        own, other = frames.get(dataset), frames.get(target)
        where = files.get(dataset) or dataset
        if other is None:
            info = schema.DATASETS[target]
            rules.append(rule_row(**base, outcome=SKIPPED, observed=None, element_count=None, unexpected_count=None,
                                  message=f"Ikke vurderet: {info.danish_name.lower()} ({target}) er ikke leveret, "
                                  "så henvisningen kan ikke kontrolleres."))
            continue
        missing = [f"{d}.{c}" for d, c, f in ((dataset, rule["column"], own), (target, key, other))
                   if c not in f.columns]
        if missing:
            message = (f"{where}: reglen {name} kunne ikke kontrolleres, fordi kolonnen {', '.join(missing)} "
                       "mangler. Ret leverancen og kør valideringen igen.")
            failures.append(_failure(base, where, None, None, message))
            rules.append(rule_row(**base, outcome=ERROR, observed=None, element_count=None,
                                  unexpected_count=None, message=message))
            continue
        found, checked = _dangling(own, other, rule, base, files.get(target) or target)
        failures += found
        observed = (f"{count_text(len(found))} af {count_text(checked)} rækker fejler" if checked else
                    "ingen rækker at kontrollere" + (f" (reglen gælder {rule['rows_da']})" if rule["rows_da"] else ""))
        rules.append(rule_row(**base, outcome=FAILED if found else PASSED, observed=observed,
                              element_count=checked, unexpected_count=len(found)))
    return rules, failures


def _keys(series: pd.Series) -> pd.Series:
    """Ids compared as the KPIs compare them: text, without surrounding spaces."""
    return series.astype("string").str.strip()


def _dangling(own: pd.DataFrame, other: pd.DataFrame, rule: dict, base: dict,
              target_file: str) -> tuple[list[dict], int]:
    """One failure per row whose reference is filled in but names nothing in the other dataset."""
    column, (target, key) = rule["column"], rule["refers_to"]
    select: Callable[[pd.DataFrame], pd.Series] = rule["rows"]  # the rows the rule applies to
    domain = own[(select(own) & _keys(own[column]).notna()).to_numpy(dtype=bool)]
    known = set(_keys(other[key]).dropna())
    dangling = domain[~_keys(domain[column]).isin(known).to_numpy(dtype=bool)]
    scope = f" (gælder {rule['rows_da']})" if rule["rows_da"] else ""
    found = []
    for r in dangling.itertuples(index=False):
        where, raw = getattr(r, "source_file", None), getattr(r, column)
        row = getattr(r, "source_row", None)
        message = (f"{where}, {location(where, row)}, {column_ref(base['dataset'], where, column)}: "
                   f"{value_phrase(base['dataset'], column, raw)}; forventet et {key} fra {target_file} "
                   f"({schema.DATASETS[target].danish_name.lower()}){scope}.")
        found.append(_failure(base, where, row_ref(where, row), raw_value(raw), message))
    return found, len(domain)


def _failure(base: dict, source_file, row, value, message: str) -> dict:
    keep = ("dataset", "rule", "expectation_type", "column", "severity")
    return {**{k: base[k] for k in keep}, "note": base["note"], "source_file": source_file,
            "row": row, "value": value, "message": message}
