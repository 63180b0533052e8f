"""The targets file check (targets_file_valid): every problem of data/raw/targets/<code>.yaml, as critical failures."""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.account import target_problems, targets
from pipeline.validate import checks
from pipeline.validate.outcomes import FAILED, PASSED, SKIPPED, rule_row

log = logging.getLogger(__name__)

RULE = "targets_file_valid"


def check(code: int, targets_dir: Path) -> tuple[list[dict], list[dict]]:
    """(the rule's outcome, one failure row per problem) for one municipality's targets file;
    skipped when it has none (every KPI then shows 'mangler mål', as before)."""
    path = targets.path_for(code, targets_dir)
    shown = target_problems.display_path(path)
    if not path.exists():
        return [_rule(SKIPPED, "ingen målfil", reason=f"Ikke vurderet: der er ingen målfil ({shown}); alle "
                      "nøgletal vises som 'mangler mål'.")], []
    try:
        found = targets.load_file(code, targets_dir)
    except targets.TargetsError as exc:
        log.warning("targets file %s has %d problem(s): municipality %s is blocked", shown,
                    len(exc.problems), code)
        count = len(exc.problems)
        observed = f"{shown}: {count} {'problem' if count == 1 else 'problemer'}"
        return [_rule(FAILED, observed, count)], [_failure(p) for p in exc.problems]
    observed = f"{shown}: {len(found.targets)} mål" + (" og et klimamål" if found.climate else "") + (
        " og indstillinger for kommunen som virksomhed" if found.operations else "")
    return [_rule(PASSED, observed)], []


def _rule(outcome: str, observed: str, unexpected: int | None = None, reason: str | None = None) -> dict:
    rule = checks.RULES[RULE]
    return rule_row(None, RULE, checks.CHECK_TYPE, None, rule["severity"], rule["description"], rule["notes"],
                    outcome, observed, None, unexpected, reason)


def _failure(problem: target_problems.TargetsProblem) -> dict:
    """A failure row like a GX one: the YAML line as its row, the key path as its column."""
    rule = checks.RULES[RULE]
    return {"dataset": None, "rule": RULE, "expectation_type": checks.CHECK_TYPE, "column": problem.column,
            "severity": rule["severity"], "note": rule["notes"], "source_file": problem.file,
            "row": problem.row, "value": None if problem.value is None else str(problem.value),
            "message": str(problem)}
