"""Failure rows counted in full, but kept as at most MAX_EXAMPLES_PER_RULE examples per rule where people
read them (the summary and results JSON, the auditor's pages, the console); failures.csv has them all."""

from __future__ import annotations

import copy

from pipeline import formatting

MAX_EXAMPLES_PER_RULE = 20  # failure rows kept per rule in the JSON files and on the auditor's page
ALL_FAILURES = "failures.csv"  # the one file with every failure (reports/<YEAR>/validation/)
_LISTS = ("unexpected_list", "unexpected_index_list")  # GX result lists with one entry per failing row


def rule_key(failure: dict) -> tuple:
    """A failure's rule: (dataset, rule); a rule name alone is not unique across cross-table checks."""
    return failure.get("dataset"), failure["rule"]


def count_rows(failures: list[dict], limit: int = MAX_EXAMPLES_PER_RULE) -> list[dict]:
    """One entry per failed rule, in the order the failures come: dataset, rule, severity, the exact
    number of failure rows, how many of them are kept as examples and, when some are left out, 'more':
    how many in Danish and where they are."""
    counts: dict[tuple, dict] = {}
    for f in failures:
        entry = counts.setdefault(rule_key(f), {"dataset": f.get("dataset"), "rule": f["rule"],
                                                "severity": f["severity"], "rows": 0})
        entry["rows"] += 1
    out = []
    for c in counts.values():
        shown = min(c["rows"], limit)
        out.append({**c, "shown": shown, **({"more": more_text(c["rows"], shown)} if c["rows"] > shown else {})})
    return out


def examples(failures: list[dict], limit: int = MAX_EXAMPLES_PER_RULE) -> list[dict]:
    """The first LIMIT failure rows of each rule, in their order."""
    seen: dict[tuple, int] = {}
    out = []
    for f in failures:
        key = rule_key(f)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= limit:
            out.append(f)
    return out


def rows_by_severity(counts: list[dict]) -> dict[str, int]:
    """Failure rows per severity from count_rows' entries."""
    out: dict[str, int] = {}
    for c in counts:
        out[c["severity"]] = out.get(c["severity"], 0) + int(c["rows"])
    return out


def more_text(total: int, shown: int, where: str = ALL_FAILURES, noun: tuple[str, str] = ("række", "rækker")) -> str:
    """'… og 199.980 rækker mere; hele listen i failures.csv' ('' when nothing is left out)."""
    left = int(total) - int(shown)
    if left <= 0:
        return ""
    return f"… og {formatting.count_da(left, *noun)} mere; hele listen i {where}"


def cap_gx_result(suite_result: dict, limit: int = MAX_EXAMPLES_PER_RULE) -> dict:
    """A GX suite result whose per-row lists hold at most LIMIT entries, with a Danish note where cut
    (the counts, percentages and success stay GX's own)."""
    if not any(len((r.get("result") or {}).get(k) or []) > limit
               for r in suite_result.get("results", []) for k in _LISTS):
        return suite_result
    out = {k: v for k, v in suite_result.items() if k != "results"}
    out["results"] = []
    for r in suite_result.get("results", []):
        res = r.get("result") or {}
        longest = max((len(res.get(k) or []) for k in _LISTS), default=0)
        if longest <= limit:
            out["results"].append(r)
            continue
        cut = {k: (v[:limit] if k in _LISTS and isinstance(v, list) else copy.deepcopy(v)) for k, v in res.items()}
        total = int(res.get("unexpected_count") or longest)
        cut["examples_note"] = (f"Kun de første {formatting.integer(limit)} af {formatting.integer(total)} "
                                f"rækker er med her; hele listen står i {ALL_FAILURES}.")
        out["results"].append({**{k: v for k, v in r.items() if k != "result"}, "result": cut})
    return out
