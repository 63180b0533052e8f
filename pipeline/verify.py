"""`make verify YEAR=2024`: recompute the SHA-256 of every input recorded for the year's published pages and
validation results, and say which pages no longer match the files they were made from."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import config, provenance
from pipeline.errors import ParameterError
from pipeline.publish import publication

REPORT_PAGES = "[0-9][0-9][0-9]-*.html"


@dataclass(frozen=True)
class Mismatch:
    """One recorded input that no longer matches: changed, gone, or there now but not then."""

    page: str  # '151-ballerup.html' or 'validation/151-ballerup.html', relative to reports/<YEAR>/
    path: str  # the input, relative to the project root
    kind: str
    recorded: str | None
    current: str | None
    since: str = "udgivelsen"  # 'udgivelsen' for a published page, 'valideringen' for a validation

    @property
    def line(self) -> str:
        if self.current is None:
            return (f"{self.page}: {self.path} findes ikke længere "
                    f"(havde SHA-256 {_short(self.recorded)} ved {self.since})")
        if self.recorded is None:
            return f"{self.page}: {self.path} findes nu, men fandtes ikke ved {self.since}"
        return (f"{self.page}: {self.path} er ændret siden {self.since} "
                f"(SHA-256 var {_short(self.recorded)}, er nu {_short(self.current)})")


@dataclass
class VerifyResult:
    year: int
    pages: list[str] = field(default_factory=list)  # published pages checked
    validations: list[str] = field(default_factory=list)  # validation pages checked
    inputs_checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # records missing or unreadable

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.problems

    @property
    def changed_pages(self) -> list[str]:
        """Pages (published and validation) with at least one input that no longer matches."""
        return sorted({m.page for m in self.mismatches})

    @property
    def lines(self) -> list[str]:
        return [m.line for m in self.mismatches] + list(self.problems)


def _short(checksum: str | None) -> str:
    return f"{checksum[:12]}…" if checksum else "–"


def verify(paths: config.YearPaths, root: Path = config.ROOT) -> VerifyResult:
    """Check every published page of the year against its provenance record
    (reports/<YEAR>/provenance/<code>-<slug>.json) and every validation summary against its own,
    recomputing each recorded input's SHA-256 from the files under ROOT."""
    result = VerifyResult(paths.year)
    current: dict[str, str | None] = {}

    def check(page: str, record: dict, since: str) -> None:
        for item in record.get("inputs", []):
            recorded = provenance.InputFile.from_dict(item)
            if recorded.path not in current:
                path = provenance.resolve(recorded.path, root)
                current[recorded.path] = provenance.sha256(path) if path.is_file() else None
            result.inputs_checked += 1
            if current[recorded.path] != recorded.sha256:
                result.mismatches.append(Mismatch(page, recorded.path, recorded.kind, recorded.sha256,
                                                  current[recorded.path], since))

    pages = sorted(paths.reports.glob(REPORT_PAGES)) if paths.reports.is_dir() else []
    for page in pages:
        sidecar = paths.provenance / f"{page.stem}.json"
        record = _read(sidecar, result, page.name)
        if record is None:
            if not sidecar.exists():
                result.problems.append(f"{page.name}: har ingen sporingsfil (provenance/{sidecar.name}), "
                                       "så dens inddata kan ikke efterprøves")
            continue
        result.pages.append(page.name)
        check(page.name, record, "udgivelsen")
    published = {p.stem for p in pages}
    for sidecar in sorted(paths.provenance.glob(REPORT_PAGES.replace(".html", ".json"))) \
            if paths.provenance.is_dir() else []:
        if sidecar.stem not in published:
            result.problems.append(f"provenance/{sidecar.name}: siden {sidecar.stem}.html, den hører til, "
                                   "findes ikke")
    for summary in sorted(paths.validation.glob("*.summary.json")) if paths.validation.is_dir() else []:
        page = f"validation/{summary.name.removesuffix('.summary.json')}.html"
        document = _read(summary, result, page)
        if document is None:
            continue
        record = document.get("provenance")
        if not record:
            result.problems.append(f"{page}: resuméet ({summary.name}) har ingen sporingsoplysninger; "
                                   f"kør `make validate YEAR={paths.year}` igen")
            continue
        result.validations.append(page)
        check(page, record, "valideringen")
    if publication.state_path(paths).exists():  # the publication's own files, as the run sealed them
        result.problems += [f"udgivelsen er ændret efter kørslen: {line}" for line in
                            publication.differences(paths.reports)]
    return result


def _read(path: Path, result: VerifyResult, page: str) -> dict | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        result.problems.append(f"{page}: {path.name} kan ikke læses ({exc})")
        return None


def main(paths: config.YearPaths, root: Path = config.ROOT, stream=None) -> int:
    """Print a Danish summary of `verify`; 0 when every input matches, 1 when something changed or cannot
    be checked. Raises ParameterError (exit 2 in the CLI) when nothing has been published for the year."""
    stream = stream or sys.stdout
    if not paths.reports.is_dir() or not (any(paths.reports.glob(REPORT_PAGES))
                                          or any(paths.validation.glob("*.summary.json"))):
        raise ParameterError(f"Der er intet udgivet for {paths.year} at kontrollere i {paths.reports}; "
                             f"kør først `make report YEAR={paths.year}`")
    result = verify(paths, root)
    print(f"Kontrol af inddata for {paths.year}: {len(result.pages)} udgivne sider og "
          f"{len(result.validations)} valideringer, {result.inputs_checked} kontrolsummer regnet ud igen.",
          file=stream)
    for line in result.lines:
        print(f"  - {line}", file=stream)
    if result.ok:
        print("Alle sider passer til deres inddata.", file=stream)
        return 0
    changed = result.changed_pages
    if changed:
        print(f"{len(changed)} {'side passer' if len(changed) == 1 else 'sider passer'} ikke længere til "
              f"deres inddata: {', '.join(changed)}. Kør `make report YEAR={paths.year}` for at udgive dem "
              "igen ud fra de nuværende filer.", file=stream)
    if result.problems:
        print(f"Sporingsoplysninger mangler eller kan ikke læses ({len(result.problems)} tilfælde, se ovenfor), "
              "så de sider kan ikke efterprøves.", file=stream)
    return 1
