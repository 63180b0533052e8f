"""The year overview's comparison: municipalities grouped by region, and per KPI how they are spread,
where each one stands (rank, the worst quarter) and how it compares with the median of its peer group
(Danmarks Statistik's kommunegrupper, `pipeline.peer_groups`). Read from the overview's entries only."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline import peer_groups
from pipeline.account.kpis.meta import KpiDef

# Units whose value does not grow with the municipality's size: only these are ranked (shares, and use or
# emissions per m²). A count of projects, m³ of water or tonnes of CO2e mostly measures how big a
# municipality is, not how far it has come.
RANKED_UNITS = ("%", "kWh/m²", "m³/m²", "kg CO2e/m²/år")
MIN_FOR_QUARTERS = 4  # "bagud" (the worst quarter) needs at least this many values
ALL = "Alle kommuner"
BETTER, WORSE, SAME = "bedre end", "dårligere end", "som"
NAMES_SHOWN = 3  # names given for the lowest and highest value before "og N andre"


@dataclass(frozen=True)
class Position:
    """Where one municipality stands on one KPI among the municipalities with a value."""

    rank: int  # 1 = best, in the KPI's direction; tied values share the best rank
    n: int
    behind: bool  # in the worst quarter: worse than the lower (or, lower is better, the upper) quartile
    peer_median: float | None  # the median of its kommunegruppe (None: no other member has a value)
    versus: str | None  # BETTER, WORSE or SAME than that median, at the precision the page shows


@dataclass(frozen=True)
class Spread:
    """How the municipalities are spread on one KPI."""

    kpi: KpiDef
    n: int
    median: float | None
    lowest: float | None
    highest: float | None
    lowest_names: tuple[str, ...]
    highest_names: tuple[str, ...]
    group_medians: dict[str, tuple[float | None, int]]  # ALL and each group → (median, values)
    ranked: bool
    values: pd.DataFrame  # code, name, group, value of every municipality with a value

    def summary_da(self, year: int) -> str:
        """'Median 46 %, laveste 12 % (Læsø), højeste 88 % (Gentofte og Furesø); 98 kommuner med en værdi.'"""
        if not self.n:
            return f"Ingen af kommunerne har en værdi for {self.kpi.title_da.lower()} i {year}."
        unit, count = self.kpi.unit, fmt.count_da(self.n, "kommune", "kommuner")
        if self.lowest == self.highest:
            return f"{'Alle ' if self.n > 1 else ''}{count} med en værdi har {fmt.value(self.lowest, unit)}."
        lowest, highest = fmt.value_pair(self.lowest, self.highest, unit)  # decimals enough to differ
        return (f"Median {fmt.value(self.median, unit)}, laveste {lowest} ({_names(self.lowest_names)}), "
                f"højeste {highest} ({_names(self.highest_names)}); {count} med en værdi.")


@dataclass
class Row:
    """One municipality's row of the comparison table: its entry, its group, and per KPI its cell."""

    entry: dict
    group: str
    cells: dict[str, dict] = field(default_factory=dict)  # kpi_id → value, unit, status, caveat, position


@dataclass
class Comparison:
    regions: list[tuple[str, list[Row]]]  # ("Region Hovedstaden", rows), in Danish alphabetical order
    spreads: dict[str, Spread]
    groups: tuple[str, ...]  # the peer groups in DST's order

    @property
    def rows(self) -> list[Row]:
        return [row for _, rows in self.regions for row in rows]


def _names(names: tuple[str, ...]) -> str:
    """'Læsø', 'Fanø og Læsø', ..., 'Fanø, Læsø, Samsø og 5 andre' (never 'og 1 andre')."""
    if len(names) <= NAMES_SHOWN + 1:
        return fmt.join_da(names)
    return f"{', '.join(names[:NAMES_SHOWN])} og {len(names) - NAMES_SHOWN} andre"


def _median(values: pd.Series) -> float | None:
    return None if values.empty else float(values.median())


def spread(kpi: KpiDef, values: pd.DataFrame) -> Spread:
    """VALUES: code, name, group, value (missing values are left out) of the municipalities compared."""
    values = values.dropna(subset=["value"]).sort_values("name", key=lambda s: s.map(fmt.danish_sort_key))
    v = values["value"]
    groups = {ALL: (_median(v), len(v))}
    for group in peer_groups.GROUPS:
        members = v[values["group"] == group]
        groups[group] = (_median(members), len(members))
    lowest = None if v.empty else float(v.min())
    highest = None if v.empty else float(v.max())
    return Spread(kpi, len(v), _median(v), lowest, highest,
                  tuple(values.loc[v == lowest, "name"]), tuple(values.loc[v == highest, "name"]),
                  groups, kpi.unit in RANKED_UNITS, values)


def positions(s: Spread) -> dict[int, Position]:
    """Municipality code → its Position on a ranked KPI (empty for a KPI that is not ranked)."""
    if not s.ranked or not s.n:
        return {}
    v = s.values.set_index("code")["value"]
    group_of = s.values.set_index("code")["group"]
    better_first = not s.kpi.higher_is_better
    ranks = v.rank(ascending=better_first, method="min")
    q1, q3 = v.quantile(0.25), v.quantile(0.75)
    out = {}
    for code, value in v.items():
        behind = len(v) >= MIN_FOR_QUARTERS and (value < q1 if s.kpi.higher_is_better else value > q3)
        median, members = s.group_medians[group_of[code]]
        out[int(code)] = Position(int(ranks[code]), len(v), bool(behind),
                             median if members > 1 else None,
                             versus(value, median, s.kpi) if members > 1 else None)
    return out


def versus(value: float, median: float, kpi: KpiDef) -> str:
    """BETTER, WORSE or SAME: VALUE against MEDIAN in the KPI's direction, equal when the page shows
    the same figure for both (no difference is claimed that a reader cannot see)."""
    if fmt.value(value, kpi.unit) == fmt.value(median, kpi.unit):
        return SAME
    return BETTER if (value > median) == kpi.higher_is_better else WORSE


def region_label(region: str) -> str:
    return f"Region {region}"


def build(entries: list[dict], kpi_defs: dict[str, KpiDef]) -> Comparison:
    """The comparison of the entries that show KPI figures (published pages and kept older ones)."""
    groups = peer_groups.load()
    shown = [e for e in entries if e["kpis"]]
    rows = [Row(e, groups[e["muni"].code]) for e in shown]
    spreads, where = {}, {}
    for kpi_id, kpi in kpi_defs.items():
        values = pd.DataFrame({"code": [r.entry["muni"].code for r in rows],
                               "name": [r.entry["muni"].name for r in rows], "group": [r.group for r in rows],
                               "value": [_number(r.entry["kpis"][kpi_id]["value"]) for r in rows]},
                              columns=["code", "name", "group", "value"])
        spreads[kpi_id] = spread(kpi, values)
        where[kpi_id] = positions(spreads[kpi_id])
    for row in rows:
        code = row.entry["muni"].code
        row.cells = {kpi_id: {**row.entry["kpis"][kpi_id], "position": where[kpi_id].get(code)}
                     for kpi_id in kpi_defs}
    return Comparison(by_region(rows, lambda row: row.entry["muni"]), spreads, peer_groups.GROUPS)


def by_region(items: list, muni_of=lambda entry: entry["muni"]) -> list[tuple[str, list]]:
    """ITEMS grouped by their municipality's region, regions and names in Danish alphabetical order:
    [("Region Hovedstaden", [...]), ("Region Midtjylland", [...]), ...]."""
    groups: dict[str, list] = {}
    for item in sorted(items, key=lambda i: fmt.danish_sort_key(muni_of(i).name)):
        groups.setdefault(muni_of(item).region, []).append(item)
    return [(region_label(region), groups[region]) for region in sorted(groups, key=fmt.danish_sort_key)]


def _number(x) -> float:
    return float("nan") if fmt.no_value(x) else float(x)
