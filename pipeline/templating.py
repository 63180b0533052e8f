"""The one Jinja environment for every HTML page (reports, overview, auditor's pages) and its filters."""

from __future__ import annotations

import functools

import jinja2
from markupsafe import Markup

from pipeline import config, schema
from pipeline import formatting as fmt

STATUS_CLASS = {"på sporet": "on-track", "ikke på sporet": "off-track", "mål nået": "on-track",
                "mål ikke nået": "off-track", "kan ikke vurderes endnu": "not-assessed",
                "mangler mål": "no-target", "mangler data": "no-data"}
STATUS_SYMBOL = {"på sporet": "✔", "ikke på sporet": "✖", "mål nået": "✔", "mål ikke nået": "✖",
                 "kan ikke vurderes endnu": "○", "mangler mål": "?", "mangler data": "–"}
CAVEAT_SUFFIX = " – med forbehold"  # the same words as pipeline.account.status.CAVEAT_SUFFIX


def badge(status: str, caveat: bool = False) -> Markup:
    """Status badge with symbol and text, e.g. '✔ på sporet' (not colour alone); a caveat qualifies it
    in words: '✔ på sporet – med forbehold'."""
    cls = STATUS_CLASS.get(status, "no-data")
    qualified = bool(caveat) and status != "mangler data"
    return Markup(
        '<span class="status status-{}{}"><span class="status-symbol" aria-hidden="true">'
        "{}</span> {}{}</span>"
    ).format(cls, " status-caveat" if qualified else "", STATUS_SYMBOL.get(status, "–"), status,
             CAVEAT_SUFFIX if qualified else "")


def dataset_da(name: str) -> str:
    """The Danish name of a dataset ('fleet' → 'Kommunens egen vognpark')."""
    d = schema.DATASETS.get(name)
    return d.danish_name if d and d.danish_name else str(name)


@functools.cache
def environment() -> jinja2.Environment:
    """Templates under pipeline/templates/, autoescaped, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(config.TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        num=fmt.number, integer=fmt.integer, pct=fmt.percent, val=fmt.value, date_da=fmt.date_da,
        decimal=fmt.decimal,
        severity_da=lambda s: schema.SEVERITY_LABEL_DA.get(s, s),
        status_da=lambda s: schema.PUBLICATION_DA.get(s, s),
        outcome_da=lambda s: schema.OUTCOME_DA.get(s, s),
    )
    env.globals.update(badge=badge, dataset_da=dataset_da, join_da=fmt.join_da, count_da=fmt.count_da)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def css(*names: str) -> Markup:
    """Stylesheets from pipeline/templates/, inlined so a page loads nothing else."""
    return Markup("\n".join((config.TEMPLATES / name).read_text(encoding="utf-8")
                     for name in names if (config.TEMPLATES / name).exists()))
