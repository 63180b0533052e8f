"""The report's sections, one module per section (and per template in templates/account/), in report order.

A new section is a module here with `html(acc) -> str`, its template, and its name in SECTIONS.
"""

from __future__ import annotations

import importlib

from pipeline import templating

SECTIONS = ("intro", "climate", "operations", "summary", "kpis", "actions", "data_quality", "method", "footer")


def render(name: str, acc) -> str:
    """One section's HTML for an Account, e.g. render("summary", acc)."""
    if name not in SECTIONS:
        raise KeyError(f"unknown report section {name!r}; expected one of {', '.join(SECTIONS)}")
    return importlib.import_module(f"{__name__}.{name}").html(acc)


def all_sections(acc) -> list[str]:
    """Every section in report order (for tests and analysts)."""
    return [render(name, acc) for name in SECTIONS]


def template(name: str, acc, **context) -> str:
    """Render templates/account/<name> with the context every section shares."""
    text = templating.render(f"account/{name}", acc=acc, year=acc.year, name=acc.official_name, **context)
    return text.strip() + "\n"


def kpi_anchor(kpi_id: str) -> str:
    """Stable HTML id of a KPI block: 'kpi-lca-projects-count'."""
    return "kpi-" + kpi_id.replace("_", "-")
