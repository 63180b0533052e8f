"""The manko: the reduction to the 2030 target that no live action covers yet (DK2020; docs/kpis.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.account import actions
from pipeline.account.climate.target import ClimateTarget

TARGET_YEAR = 2030


@dataclass(frozen=True)
class Manko:
    """Every step of the bridge from the starting point to the 2030 target, in t CO2e."""

    start_t_co2e: float  # the plan's projection for 2030, or the latest measured emissions
    start_is_projection: bool  # False: the latest measured emissions, stated as an assumption
    start_year: int  # 2030 for a projection, else the latest data year
    completed_t_co2e: float  # expected 2030 reductions of completed actions
    in_progress_t_co2e: float  # … of actions in progress
    at_risk_t_co2e: float  # … of delayed and not-started actions (shown, not counted)
    lost_t_co2e: float  # … of abandoned actions (never counted)
    target_t_co2e: float  # reference × (1 − the 2030 reduction)

    @property
    def covered_t_co2e(self) -> float:
        """What live actions (completed or in progress) are expected to reduce by 2030."""
        return self.completed_t_co2e + self.in_progress_t_co2e

    @property
    def expected_2030_t_co2e(self) -> float:
        return self.start_t_co2e - self.covered_t_co2e

    @property
    def manko_t_co2e(self) -> float:
        """Expected 2030 emissions above the target; ≤ 0 means the live actions cover the target."""
        return self.expected_2030_t_co2e - self.target_t_co2e

    @property
    def manko_if_at_risk_delivered_t_co2e(self) -> float:
        return self.manko_t_co2e - self.at_risk_t_co2e


def _sum(table: pd.DataFrame, statuses: tuple[str, ...]) -> float:
    picked = table.loc[table["status"].isin(statuses), "reduction_t_co2e"]
    return float(picked.sum(min_count=1)) if picked.notna().any() else 0.0


def compute(target: ClimateTarget | None, action_table: pd.DataFrame, latest: tuple[int, float] | None,
            ) -> Manko | None:
    """The manko for a municipality: ACTION_TABLE from actions.actions_table (Danish statuses), LATEST the
    latest (data year, t CO2e) in the target's scope. None without a 2030 milestone or a starting point."""
    if target is None or target.milestone(TARGET_YEAR) is None:
        return None
    if target.projection_2030_t_co2e is not None:
        start, is_projection, start_year = target.projection_2030_t_co2e, True, TARGET_YEAR
    elif latest is not None:
        (start_year, start), is_projection = latest, False
    else:
        return None
    da = {key: label for key, label in actions.ACTION_STATUS_DA.items()}
    return Manko(
        start_t_co2e=float(start), start_is_projection=is_projection, start_year=int(start_year),
        completed_t_co2e=_sum(action_table, (da["gennemfoert"],)),
        in_progress_t_co2e=_sum(action_table, (da["i_gang"],)),
        at_risk_t_co2e=_sum(action_table, actions.OUTLOOK[actions.AT_RISK]),
        lost_t_co2e=_sum(action_table, actions.OUTLOOK[actions.LOST]),
        target_t_co2e=target.target_t_co2e(target.milestone(TARGET_YEAR)),
    )
