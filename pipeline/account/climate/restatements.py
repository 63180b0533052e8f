"""Restated years: this edition's values for past data years against last year's edition."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline import formatting as fmt

RELATIVE_TOLERANCE = 1e-9  # a value that differs less than this is not a restatement


@dataclass(frozen=True)
class Restatement:
    data_year: int
    sector: str
    before_t_co2e: float  # in last year's edition
    now_t_co2e: float  # in this edition

    @property
    def change_pct(self) -> float | None:
        """The change in % of last year's value; None when that was 0 (no finite percentage)."""
        if not self.before_t_co2e:
            return None
        return (self.now_t_co2e - self.before_t_co2e) / self.before_t_co2e * 100

    def text(self) -> str:
        """'2021: 312.400 t i sidste års udgave, nu 305.100 t (−2,3 %)'."""
        change = self.change_pct
        sign = "+" if change and change > 0 else "−" if change and change < 0 else ""
        pct = "" if fmt.no_value(change) else f" ({sign}{fmt.number(abs(change), 1)}{fmt.NBSP}%)"
        return (f"{self.data_year}: {fmt.integer(self.before_t_co2e)}{fmt.NBSP}t i sidste års udgave, "
                f"nu {fmt.integer(self.now_t_co2e)}{fmt.NBSP}t{pct}")


def compare(previous: pd.DataFrame, current: pd.DataFrame) -> list[Restatement]:
    """Every (data year, sector) both editions hold whose value changed, oldest year first.

    Both frames: one municipality's emissions rows with `data_year`, `sector`, `t_co2e`.
    """
    if previous is None or current is None or previous.empty or current.empty:
        return []
    key = ["data_year", "sector"]
    both = previous[key + ["t_co2e"]].merge(current[key + ["t_co2e"]], on=key, suffixes=("_before", "_now"))
    changed = both[(both["t_co2e_before"] - both["t_co2e_now"]).abs()
                   > RELATIVE_TOLERANCE * both["t_co2e_before"].abs().clip(lower=1.0)]
    changed = changed.sort_values(key)
    return [Restatement(int(r.data_year), str(r.sector), float(r.t_co2e_before), float(r.t_co2e_now))
            for r in changed.itertuples(index=False)]
