"""Section 'Om … grønne regnskab': who, what year, what the report covers; sample-data and blocked notices."""

from __future__ import annotations

import pandas as pd

from pipeline import formatting as fmt
from pipeline.account import status
from pipeline.account.sections import template

# "I 2024 er status for de 11 nøgletal: 3 på sporet, 1 har nået målet, …"
PHRASES = {
    status.ON_TRACK: "{n} på sporet",
    status.OFF_TRACK: "{n} ikke på sporet",
    status.REACHED: "{n} har nået målet",
    status.NOT_REACHED: "{n} har ikke nået målet",
    status.NOT_ASSESSED: "{n} kan ikke vurderes endnu",
    status.NO_TARGET: "{n} mangler et mål",
    status.NO_DATA: "{n} mangler data",
}


def status_sentence(acc) -> str:
    table = pd.concat([acc.climate_summary, acc.summary], ignore_index=True)
    counts = table["status"].value_counts()
    parts = [PHRASES[s].format(n=fmt.integer(int(counts[s]))) for s in status.KPI_STATUSES if counts.get(s, 0)]
    text = f"I {acc.year} er status for de {fmt.integer(len(table))} nøgletal: {fmt.join_da(parts)}."
    qualified = int((table["caveat"].fillna(False).astype(bool) & (table["status"] != status.NO_DATA)).sum())
    if qualified:
        text += (f" {fmt.count_da(qualified, 'status er', 'statusser er')} givet med forbehold, fordi "
                 "valideringen fandt en advarsel i de data, nøgletallet bygger på.")
    return text


def html(acc) -> str:
    return template(
        "intro.html.j2",
        acc,
        n_kpis=len(acc.summary) + len(acc.climate_summary),
        status_sentence=status_sentence(acc),
        blocked=acc.validation is not None and acc.validation.status == "blocked",
        targets_source=acc.targets.source,
        first_year=min(acc.years),
    )
