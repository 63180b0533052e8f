"""Peer groups: Danmarks Statistik's kommunegrupper, one group per municipality, joined on the code.

`data/reference/municipality_groups.csv` (code, group, source, note) is reference data with its
source (conventions 5 and 17): the five groups of DST's classification KOMGRP v1:2018-, for every
one of the 98 codes in the municipality registry.
"""

from __future__ import annotations

import functools

import pandas as pd

from pipeline import config, registry
from pipeline.errors import PipelineError

# DST's five groups, in DST's order (also the order the overview shows them in).
GROUPS = ("Hovedstadskommuner", "Storbykommuner", "Provinsbykommuner", "Oplandskommuner", "Landkommuner")
COLUMNS = ["code", "group", "source", "note"]


class PeerGroupError(PipelineError):
    """The peer-group file itself is broken (an unknown code, an unknown group, a code missing)."""


@functools.cache
def _read(path: str | None = None) -> pd.DataFrame:
    """The checked file: every code known and given once, all 98 given, every group one of the five."""
    source = path or config.MUNICIPALITY_GROUPS_CSV
    where = f"{source}"
    try:
        df = pd.read_csv(source, dtype={"code": "Int64", "group": str, "source": str, "note": str},
                         encoding="utf-8", keep_default_na=False, na_values={"code": [""]})
    except (OSError, ValueError) as exc:
        raise PeerGroupError(f"{where} kan ikke læses ({exc}); gendan filen fra git") from None
    problems = []
    if list(df.columns) != COLUMNS:
        raise PeerGroupError(f"{where}: kolonnerne skal være {', '.join(COLUMNS)} (fandt {', '.join(df.columns)})")
    for row, r in enumerate(df.itertuples(), start=2):  # the header is row 1
        if pd.isna(r.code) or not registry.is_known(int(r.code)):
            problems.append(f"række {row}: kommunekoden {r.code} findes ikke i kommuneregistret")
        if r.group not in GROUPS:
            problems.append(f"række {row}: kommunegruppen {r.group!r} er ikke en af {', '.join(GROUPS)}")
        if not r.source.strip():
            problems.append(f"række {row}: kilden mangler (kolonnen source)")
    codes = [int(c) for c in df["code"].dropna()]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        problems.append(f"koder står mere end én gang: {', '.join(f'{c:03d}' for c in duplicated)}")
    missing = sorted(set(registry.load()) - set(codes))
    if missing:
        problems.append(f"kommuner uden kommunegruppe: {', '.join(f'{c:03d}' for c in missing)}")
    if problems:
        raise PeerGroupError(f"{where} skal give hver af de 98 kommuner én af Danmarks Statistiks fem "
                             "kommunegrupper:\n" + "\n".join(f"- {p}" for p in problems))
    return df


def load(path: str | None = None) -> dict[int, str]:
    """Municipality code → its kommunegruppe, for all 98 codes of the registry. Join on the code."""
    return {int(r.code): r.group for r in _read(path).itertuples()}


def group_of(code: int) -> str:
    """The kommunegruppe of one municipality (KeyError names the code)."""
    try:
        return load()[int(code)]
    except KeyError:
        raise KeyError(f"'{code}' har ingen kommunegruppe i {config.MUNICIPALITY_GROUPS_CSV.name}") from None


def source(path: str | None = None) -> str:
    """The source the file names (the distinct sources of its rows, in order)."""
    return "; ".join(dict.fromkeys(_read(path)["source"]))


def notes(path: str | None = None) -> dict[int, str]:
    """Code → the note on a row whose group could not be verified (none today)."""
    return {int(r.code): r.note for r in _read(path).itertuples() if r.note.strip()}
