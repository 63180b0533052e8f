"""Section 'Metode': each KPI's definition and source, the status rule, the BR18 limits, the operations
account's factor, degree-day and own-effort rules, and assumptions."""

from __future__ import annotations

from pipeline import formatting as fmt
from pipeline.account import operations, status
from pipeline.account.kpis import GROUPS, KPI_DEFS, lca
from pipeline.account.sections import template


def html(acc) -> str:
    return template(
        "method.html.j2",
        acc,
        defs=list(KPI_DEFS.values()),
        unit_labels={d.unit: fmt.unit_label(d.unit) for d in KPI_DEFS.values()},
        operations_notes=operations.method_notes_da(),
        groups=GROUPS,
        limit_2023=fmt.value(lca.BR18_2023_LIMIT, "kg CO2e/m²/år"),
        area_2023=fmt.number(lca.BR18_2023_MIN_AREA_M2, 0),
        from_2023=fmt.date_da(lca.BR18_2023_FROM),
        from_2025=fmt.date_da(lca.BR18_2025_FROM),
        limits_2025=[
            (lca.BR18_CATEGORY_NAMES[k], fmt.value(v, "kg CO2e/m²/år"))
            for k, v in lca.BR18_2025_LIMITS.items()
        ],
        targets_source=acc.targets.source,
        statuses=[(s, text.format(year=acc.year)) for s, text in status.EXPLANATION.items()],
        caveat_explanation=status.CAVEAT_EXPLANATION,
    )
