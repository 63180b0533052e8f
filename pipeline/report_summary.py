"""The run's own summary for the analyst: one Danish line per municipality, then totals and the exit code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import config, registry, schema
from pipeline import formatting as fmt
from pipeline.account import targets

EXIT_OK, EXIT_BLOCKED, EXIT_INPUT = 0, 1, 2
EXIT_MEANING = {
    EXIT_OK: "alle valgte kommuner er udgivet",
    EXIT_BLOCKED: "mindst én kommune er blokeret, eller dens notebook fejlede",
    EXIT_INPUT: "forkerte parametre eller leverancer, der ikke kan læses",
}
MAX_NAMED = 3  # warnings named per municipality; the rest are counted


def _first(items: list[str], more: str, total: int | None = None) -> str:
    """The first MAX_NAMED items, then how many more (of TOTAL, when the items are only examples)."""
    shown = items[:MAX_NAMED]
    left = (len(items) if total is None else total) - len(shown)
    return "; ".join(shown) + (f" (+{fmt.integer(left)} {more})" if left > 0 else "")


def delivery_warnings(result, targets_dir: Path) -> list[str]:
    """What a reader of the published report should be warned about besides the validation caveats."""
    out = []
    path = targets.path_for(result.code, targets_dir)
    if not path.exists():
        out.append(f"ingen målfil ({path.name} i {path.parent.name}/), så alle nøgletal mangler mål")
    required = schema.REQUIRED_DATASETS  # the optional emissions account is not counted
    delivered, total = len([d for d in result.datasets_delivered if d in required]), len(required)
    if delivered * 2 < total:
        out.append(f"kun {delivered} af {total} datasæt leveret")
    return out


def warnings_of(result, targets_dir: Path) -> list[str]:
    """Every named warning of a published municipality: validation caveats, then delivery warnings."""
    caveats = list(dict.fromkeys(c["message"] for c in result.caveats))
    return delivery_warnings(result, targets_dir) + caveats


def line(muni: registry.Municipality, text: str, seconds: float | None = None) -> str:
    timing = f"  [{seconds:.1f} s]" if seconds is not None else ""
    return f"  {muni.code3} {muni.name:<16} {text}{timing}"


def lines(paths: config.YearPaths, run, targets_dir: Path = config.TARGETS) -> tuple[list[str], dict]:
    """The summary's lines and its counts (published, with_warnings, blocked, failed)."""
    outcomes = {o.code: o for o in run.outcomes}
    validation = run.validation
    codes = sorted(set(validation.results) | set(validation.unreadable))
    counts = {"published": 0, "with_warnings": 0, "blocked": 0, "failed": 0, "unchanged": 0}
    out = []
    for code in codes:
        muni = registry.get(code)
        kept = "seneste udgivne regnskab beholdes" if paths.report(muni).exists() else "intet tidligere regnskab"
        if code in validation.unreadable:
            problems = validation.unreadable[code]
            counts["blocked"] += 1
            out.append(line(muni, f"BLOKERET ({kept}): leverancen kan ikke læses: "
                                  + _first(problems, "problemer mere")))
            continue
        result = validation.results[code]
        if result.status == "blocked":
            critical = [f["message"] for f in result.failures_detail if f["severity"] == "critical"]
            counts["blocked"] += 1
            out.append(line(muni, f"BLOKERET ({kept}): " + _first(critical, "kritiske fejl mere",
                                                                  result.rows_failed("critical"))))
            continue
        outcome = outcomes.get(code)
        if outcome is None and code in getattr(run, "unchanged", {}):  # its key matched the published page
            counts["published"] += 1
            counts["unchanged"] += 1
            made = f" {fmt.timestamp(dt.datetime.fromisoformat(run.unchanged[code]))}" if run.unchanged[code] else ""
            out.append(line(muni, f"uændret: leverancer, mål og validering er som da regnskabet blev dannet{made}; "
                                  "ikke dannet igen"))
            continue
        if outcome is None:
            continue  # not selected in this run (MUNICIPALITY=…)
        if not outcome.ok:
            counts["failed"] += 1
            out.append(line(muni, f"FEJL ({kept}): {outcome.error}", outcome.seconds))
            continue
        counts["published"] += 1
        warnings = warnings_of(result, targets_dir)
        if warnings:
            counts["with_warnings"] += 1
            text = f"udgivet med {fmt.count_da(len(warnings), 'advarsel', 'advarsler')}: " + _first(
                warnings, "advarsler mere")
        else:
            text = "udgivet"
        if outcome.retries:
            text += " (kernen svarede ikke første gang; kørt igen med en ny)"
        out.append(line(muni, text, outcome.seconds))
    return out, counts


def exit_code(counts: dict) -> int:
    return EXIT_BLOCKED if counts["blocked"] or counts["failed"] else EXIT_OK


def totals(counts: dict) -> str:
    published = f"Udgivet: {counts['published']}"
    parts = [f"{counts['with_warnings']} med advarsler"] if counts["with_warnings"] else []
    if counts.get("unchanged"):
        parts.append(f"{counts['unchanged']} uændrede, ikke dannet igen")
    if parts:
        published += f" (heraf {', '.join(parts)})"
    return f"{published}, blokeret: {counts['blocked']}, fejlet: {counts['failed']}."


def exit_line(code: int) -> str:
    return f"Afslutningskode {code}: {EXIT_MEANING[code]}."
