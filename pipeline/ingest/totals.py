"""Tell the two "Samlet" rows of Energi- og CO2-regnskabet apart: the total with or without agriculture.

The API returns, per unit, two rows with `sektor` "Samlet" and `type` "Samlet CO2-udledning": one
total with agriculture and one without. Public readers of the API show that nothing but the value
and the order distinguishes them (one takes the smaller, one the larger, one adds both together),
so a reader that picks one by position or size silently picks a scope. We never pick: every
"Samlet" row is kept and labelled by

1. a text in the row that names the scope ("uden landbrug", "ekskl. landbrug", "inkl. landbrug", …)
   in any of its fields, when there is one; otherwise
2. comparison with the sectors of the same unit: the total with agriculture is the sum of all
   sectors, the total without is that sum less agriculture and land use. A row gets the label whose
   sum it matches within MATCH_TOLERANCE, provided it matches that sum clearly better than the other
   (by more than DECISIVE_MARGIN); a label that would be given twice is given to neither.

A row that neither rule can label is `samlet_uafklaret`: it stays in the table, and validation warns.
"""

from __future__ import annotations

import math
import re

from pipeline.schema import (
    AGRICULTURE_SECTORS,
    TOTAL_UNRESOLVED,
    TOTAL_WITH_AGRICULTURE,
    TOTAL_WITHOUT_AGRICULTURE,
)

MATCH_TOLERANCE = 0.005  # the same 0.5 % validation allows between the sectors and a total
DECISIVE_MARGIN = 0.001  # agriculture must move the sum by more than this share to tell the totals apart

_WITHOUT = re.compile(r"\b(uden|ekskl\.?|eksklusive?|excl\.?|excluding|without)\s+landbrug", re.IGNORECASE)
_WITH = re.compile(r"\b(med|inkl\.?|inklusive?|incl\.?|including|with)\s+landbrug", re.IGNORECASE)


def scope_hint(fields: dict) -> str | None:
    """The scope a row's own text names ('… uden landbrug' / '… inkl. landbrug'), or None."""
    text = " ".join(str(v) for v in fields.values() if isinstance(v, str))
    without, with_ = bool(_WITHOUT.search(text)), bool(_WITH.search(text))
    if without == with_:
        return None
    return TOTAL_WITHOUT_AGRICULTURE if without else TOTAL_WITH_AGRICULTURE


def sector_sums(sectors: dict[str, float]) -> tuple[float, float, float]:
    """(sum with agriculture, sum without agriculture, sum of absolute values) of one unit's sectors."""
    values = {s: v for s, v in sectors.items() if v is not None and not math.isnan(v)}
    with_ = sum(values.values())
    without = with_ - sum(v for s, v in values.items() if s in AGRICULTURE_SECTORS)
    return with_, without, sum(abs(v) for v in values.values())


def label_by_sums(value: float, sectors: dict[str, float]) -> str:
    """The scope one total has, judged by the sums of the sectors of the same unit."""
    if value is None or math.isnan(value) or not sectors:
        return TOTAL_UNRESOLVED
    with_, without, gross = sector_sums(sectors)
    scale = max(gross, abs(value))
    off_with, off_without = abs(value - with_), abs(value - without)
    if min(off_with, off_without) > MATCH_TOLERANCE * scale:
        return TOTAL_UNRESOLVED  # matches neither sum
    if abs(off_with - off_without) <= DECISIVE_MARGIN * scale:
        return TOTAL_UNRESOLVED  # agriculture is too small to tell the two totals apart
    return TOTAL_WITH_AGRICULTURE if off_with < off_without else TOTAL_WITHOUT_AGRICULTURE


def label_totals(totals: list[tuple[float, str | None]], sectors: dict[str, float]) -> list[str]:
    """A label for each "Samlet" row of one unit, given (value, scope hint) in delivery order."""
    labels = [hint or label_by_sums(value, sectors) for value, hint in totals]
    for label in (TOTAL_WITH_AGRICULTURE, TOTAL_WITHOUT_AGRICULTURE):
        if labels.count(label) > 1:
            labels = [TOTAL_UNRESOLVED if x == label else x for x in labels]
    return labels
