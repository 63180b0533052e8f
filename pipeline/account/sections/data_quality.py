"""Section 'Datakvalitet': the validation summary, its caveats and the link to the auditor's page."""

from __future__ import annotations

from pipeline.account.kpis import KPI_DEFS
from pipeline.account.sections import template
from pipeline.schema import SEVERITY_DA
from pipeline.templating import dataset_da


def html(acc) -> str:
    v = acc.validation
    caveats = [
        {
            "dataset": dataset_da(c.get("dataset", "")),
            "severity": SEVERITY_DA.get(c.get("severity"), c.get("severity") or ""),
            "kpis": [KPI_DEFS[k].title_da if k in KPI_DEFS else k for k in c.get("kpis") or []],
            "message": c.get("message", ""),
        }
        for c in (v.caveats if v else [])
    ]
    return template(
        "data_quality.html.j2",
        acc,
        v=v,
        caveats=caveats,
        page=acc.validation_page,
        failures=[(SEVERITY_DA[s], v.failures[s] if v else 0) for s in SEVERITY_DA],
        rules=v.rules_checked if v else None,
        delivered=[dataset_da(d) for d in acc.delivered],
        missing=[dataset_da(d) for d in acc.missing],
    )
