"""Section 'Om … grønne regnskab': who, what year, what the report covers; sample-data and blocked notices."""

from __future__ import annotations

from pipeline.account.sections import template
from pipeline.account.status import KPI_STATUSES


def html(acc) -> str:
    counts = acc.summary["status"].value_counts()
    return template(
        "intro.html.j2",
        acc,
        n_kpis=len(acc.summary),
        counts={s: int(counts.get(s, 0)) for s in KPI_STATUSES},
        blocked=acc.validation is not None and acc.validation.status == "blocked",
        targets_source=acc.targets.source,
        first_year=min(acc.years),
    )
