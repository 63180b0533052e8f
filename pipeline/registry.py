"""The registry of Denmark's 98 municipalities: official 3-digit code, name, region and slug."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import pandas as pd

from pipeline import config
from pipeline.errors import PipelineError

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(text: str) -> str:
    """Lowercase ASCII slug with æ→ae, ø→oe, å→aa: 'København' → 'koebenhavn'."""
    text = text.translate(_DANISH)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(part for part in out.split("-") if part)


class RegistryError(PipelineError):
    """The municipality registry file itself is broken."""


_OFFICIAL_NAMES = {101: "Københavns Kommune", 400: "Bornholms Regionskommune"}


@dataclass(frozen=True)
class Municipality:
    code: int
    name: str
    region: str

    @property
    def code3(self) -> str:
        return f"{self.code:03d}"

    @property
    def slug(self) -> str:
        """File-name stem used by every output, e.g. '151-ballerup'."""
        return f"{self.code3}-{slugify(self.name)}"

    @property
    def official_name(self) -> str:
        """The name a municipality uses of itself: 'Ballerup Kommune', 'Københavns Kommune'."""
        return _OFFICIAL_NAMES.get(self.code, f"{self.name} Kommune")


@functools.cache
def load(path: str | None = None) -> dict[int, Municipality]:
    """All municipalities keyed by integer code. Join on the code, never on the name."""
    source = path or config.MUNICIPALITIES_CSV
    df = pd.read_csv(source, dtype={"code": int}, encoding="utf-8")
    if len(df) != 98 or not df["code"].is_unique:
        raise RegistryError(f"{source} skal indeholde de 98 kommuner med hver sin kode (fandt {len(df)} rækker); "
                            "gendan filen fra shared/reference/municipalities.csv")
    return {int(r.code): Municipality(int(r.code), r.name, r.region) for r in df.itertuples()}


def get(code: int | str) -> Municipality:
    """Look up one municipality by code ('151', 151 or '0151'); KeyError names the code."""
    try:
        key = int(str(code).strip())
    except ValueError:
        raise KeyError(f"'{code}' er ikke en kommunekode (forventet tre cifre, fx 151)") from None
    try:
        return load()[key]
    except KeyError:
        raise KeyError(
            f"'{code}' findes ikke i kommuneregistret ({config.MUNICIPALITIES_CSV.name}); "
            "forventet en af de 98 officielle koder, fx 101 (København) eller 151 (Ballerup)"
        ) from None


def is_known(code: int | str) -> bool:
    try:
        get(code)
    except KeyError:
        return False
    return True

