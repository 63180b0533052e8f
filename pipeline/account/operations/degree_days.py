"""Degree-day correction of heat to a normal year: the space-heating part scaled by normal / actual degree
days, the hot-water part left as it is: heat × (1 − hw) × normal / actual + heat × hw."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pipeline import formatting as fmt
from pipeline.account.operations import reference
from pipeline.account.operations.settings import DEFAULT, OperationsSettings

log = logging.getLogger(__name__)

RULE_DA = (
    "Varmen (fjernvarme, naturgas og fyringsolie) graddagskorrigeres til et normalår: den del, der går til "
    "rumopvarmning, ganges med normalårets graddage divideret med årets graddage (basis 17 °C), mens den del, "
    "der går til varmt brugsvand, ikke korrigeres: korrigeret varme = varme × (1 − brugsvandsandel) × "
    "normalår / årets graddage + varme × brugsvandsandel. Elforbruget korrigeres ikke. Et år uden graddage "
    "i referencetabellen (eller i kommunens målfil) får ingen korrigeret værdi."
)


@dataclass(frozen=True)
class Correction:
    """The degree-day correction of one year, with the source of each of its three numbers."""

    year: int
    degree_days: float
    degree_days_source: str
    normal: float  # the normal year's degree days
    normal_source: str
    hot_water_share: float  # the share of heat for hot tap water, not corrected
    hot_water_source: str
    own: tuple[str, ...] = ()  # which of degree_days / normal / hot_water_share the municipality set itself

    @property
    def multiplier(self) -> float:
        """corrected heat / actual heat."""
        return (1 - self.hot_water_share) * self.normal / self.degree_days + self.hot_water_share

    def apply(self, heat_kwh: float) -> float:
        return correct(heat_kwh, self.degree_days, self.normal, self.hot_water_share)

    def describe_da(self) -> str:
        """One Danish sentence naming the numbers and their sources."""
        return (f"Graddagskorrigeret med {fmt.decimal(self.degree_days, 1)} graddage i {self.year} "
                f"({self.degree_days_source}) mod et normalår på {fmt.decimal(self.normal, 1)} graddage "
                f"({self.normal_source}); {fmt.percent(self.hot_water_share * 100)} af varmen regnes som varmt "
                f"brugsvand og korrigeres ikke ({self.hot_water_source}).")


def correct(heat: float, degree_days: float, normal: float, hot_water_share: float) -> float:
    """heat × (1 − hot_water_share) × normal / degree_days + heat × hot_water_share."""
    return heat * (1 - hot_water_share) * normal / degree_days + heat * hot_water_share


def correction(year: int, settings: OperationsSettings | None = None) -> Correction | None:
    """The correction for YEAR (the municipality's own numbers first); None without degree days for YEAR."""
    settings = settings or DEFAULT
    params = reference.parameters()
    own = []
    dd = settings.degree_day_override(year)
    if dd is not None:
        degree_days, dd_source = dd.value, f"{dd.source}; kommunens eget tal fra {dd.file}"
        own.append("degree_days")
    else:
        row = reference.degree_days().get(int(year))
        if row is None:
            log.info("no degree days for %s in the reference table or the targets file: heat is not corrected", year)
            return None
        degree_days, dd_source = row.value, row.source
    if settings.normal_year_degree_days is not None:
        normal, normal_source = settings.normal_year_degree_days, f"kommunens eget tal fra {settings.file}"
        own.append("normal")
    else:
        normal, normal_source = params["normal_year_degree_days"].value, params["normal_year_degree_days"].source
    if settings.hot_water_share is not None:
        share, share_source = settings.hot_water_share, f"kommunens eget tal fra {settings.file}"
        own.append("hot_water_share")
    else:
        share, share_source = params["hot_water_share"].value, params["hot_water_share"].source
    return Correction(int(year), degree_days, dd_source, normal, normal_source, share, share_source, tuple(own))
