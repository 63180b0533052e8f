"""Compare two sample runs' published outputs byte for byte, apart from run-specific fields.

Used to prove that a refactoring changes nothing for users (issue 8):

    python tools/compare_runs.py BEFORE_ROOT AFTER_ROOT [--year 2024]

Each ROOT is a project root (or a copy) holding `reports/<YEAR>/`. Compared:
- every published HTML page (reports, index, the auditor's pages): byte-identical once the
  generation time ("Genereret … kl. HH:MM") and the git commit are masked;
- `kpis.csv` and `kpis.json`: byte-identical;
- the validation JSON (`validation/*.json`): identical once GX's timing fields are masked
  (`batch_markers.ge_load_time`, `run_id`, `validation_time`).
Exit 0 when nothing differs, 1 otherwise (with a unified diff of the first differences).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

GENERATED = re.compile(r"(Genereret|den) \d{1,2}\. [a-zæøå]+ \d{4} kl\. \d{2}:\d{2}")
COMMIT = re.compile(r"(git-commit <code>)[^<]*(</code>)")
GX_TIMING_KEYS = {"ge_load_time", "run_id", "validation_time", "run_time", "generated", "commit", "dirty"}


def normalise_html(text: str) -> str:
    text = GENERATED.sub(r"\1 <tid>", text)
    return COMMIT.sub(r"\1<commit>\2", text)


def _mask(value):
    if isinstance(value, dict):
        return {k: ("<tid>" if k in GX_TIMING_KEYS else _mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def normalise_json(text: str) -> str:
    return json.dumps(_mask(json.loads(text)), ensure_ascii=False, indent=1, sort_keys=True)


def published_files(year_dir: Path) -> list[str]:
    """Relative names of the outputs the comparison covers."""
    names = [p.relative_to(year_dir).as_posix() for p in year_dir.rglob("*")
             if p.is_file() and (p.suffix in (".html", ".csv") or p.suffix == ".json")]
    return sorted(n for n in names if not n.startswith(("notebooks/", "pdf/")))


def compare(before: Path, after: Path) -> list[str]:
    """One line per difference (missing file, extra file or differing content with a diff)."""
    problems = []
    old, new = published_files(before), published_files(after)
    problems += [f"only before: {n}" for n in sorted(set(old) - set(new))]
    problems += [f"only after: {n}" for n in sorted(set(new) - set(old))]
    for name in sorted(set(old) & set(new)):
        a = (before / name).read_text(encoding="utf-8")
        b = (after / name).read_text(encoding="utf-8")
        if name.endswith(".html"):
            a, b = normalise_html(a), normalise_html(b)
        elif name.startswith("validation/") and name.endswith(".json"):
            a, b = normalise_json(a), normalise_json(b)
        if a != b:
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "before/" + name,
                                        "after/" + name, lineterm="", n=1)
            problems.append("differs: " + name + "\n" + "\n".join(list(diff)[:40]))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args(argv)
    before = args.before / "reports" / str(args.year)
    after = args.after / "reports" / str(args.year)
    problems = compare(before, after)
    for line in problems:
        print(line)
    print(f"{len(published_files(before))} files compared: "
          + ("no differences" if not problems else f"{len(problems)} differences"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
