"""The report and backfill commands: the run summary the analyst reads, one year or a range of years, and the
'intet ændret' shortcut taken before anything is written."""

from __future__ import annotations

import logging
import sys

from pipeline import (
    __version__,
    config,
    executors,
    formatting,
    ingest,
    lock,
    provenance,
    registry,
    report_summary,
    runlog,
)
from pipeline import run as stages
from pipeline.errors import ParameterError

log = logging.getLogger("pipeline.cli")

EXIT_OK, EXIT_BLOCKED = report_summary.EXIT_OK, report_summary.EXIT_BLOCKED
MAX_PRINTED = 10  # critical failures (or unreadable cells) printed per municipality; the rest are counted
ERRORS, PROBLEMS = ("fejl", "fejl"), ("problem", "problemer")


def kept_text(paths: config.YearPaths, muni: registry.Municipality) -> str:
    if paths.report(muni).exists():
        return "den seneste udgivne rapport beholdes"
    return "der er ingen tidligere udgivet rapport"


def print_failures(run: stages.ValidationRun, paths: config.YearPaths, stream=sys.stderr) -> int:
    """Print the first MAX_PRINTED critical failures of each blocked municipality with file, row and value
    (then how many more, and where they all are); return the blocked count."""
    from pipeline.validate import examples

    for code, problems in sorted(run.unreadable.items()):
        muni = registry.get(code)
        print(f"\nBLOKERET: {muni.name} ({code}) - leverancen kan ikke læses; {kept_text(paths, muni)}.",
              file=stream)
        for problem in problems[:MAX_PRINTED]:
            print(f"  - {problem}", file=stream)
        if len(problems) > MAX_PRINTED:
            print(f"  {examples.more_text(len(problems), MAX_PRINTED, paths.validation / 'index.html', PROBLEMS)}",
                  file=stream)
    for r in run.blocked:
        print(f"\nBLOKERET: {r.name} ({r.code}) {r.year} - rapporten udgives ikke; "
              f"{kept_text(paths, registry.get(r.code))}.", file=stream)
        critical = [f for f in r.failures_detail if f["severity"] == "critical"][:MAX_PRINTED]
        for f in critical:
            print(f"  - {f['message']}", file=stream)
        more = examples.more_text(r.rows_failed("critical"), len(critical),
                                  f"{paths.failures_csv} og på revisorens side {paths.validation_page(r)}", ERRORS)
        if more:
            print(f"  {more}", file=stream)
    return len(run.blocked) + len(run.unreadable)



def cmd_report(args, paths: config.YearPaths) -> int:
    executors.check(args.executor)
    run = stages.report(paths, args.municipality, args.workers, config.TARGETS, run=args.run,
                        work_dir=args.log_dir, force=args.force, executor=args.executor)
    return print_report(args, paths, run)


def print_report(args, paths: config.YearPaths, run: stages.ReportRun) -> int:
    """The run's summary of one year for the analyst; returns the year's exit code."""
    args.year = paths.year
    selected = stages.ReportRun(run.validation.selected(args.municipality), run.outcomes, unchanged=run.unchanged)
    print_failures(selected.validation, paths)
    lines, counts = report_summary.lines(paths, selected, config.TARGETS)
    print(f"\nGrønne regnskaber {args.year}:")
    print("\n".join(lines))
    print(report_summary.totals(counts))
    for path in run.removed:
        print(f"Fjernet: {path} (kommunen leverer ikke længere for {args.year})")
    if run.stale_pdfs:
        print(f"Fjernet {formatting.count_da(len(run.stale_pdfs), 'forældet PDF-fil', 'forældede PDF-filer')} "
              f"(ældre end rapporten eller uden rapport): {', '.join(p.name for p in run.stale_pdfs)}. "
              f"Kør `make pdf YEAR={args.year}` for at lave dem igen.")
    print(f"Oversigt: {paths.index}")
    code = report_summary.exit_code(counts)
    print(report_summary.exit_line(code))
    return code


def backfill_years(args) -> list[config.YearPaths]:
    if args.last < args.first:
        raise ParameterError(f"FROM={args.first} ligger efter TO={args.last}: angiv fx FROM=2019 TO=2024")
    years = []
    for year in range(args.first, args.last + 1):
        ingest.check_year(year, config.RAW)
        years.append(config.YearPaths(year, config.RAW, config.PROCESSED, config.REPORTS))
    return years


def cmd_backfill(args) -> int:
    """Every year FROM..TO: the unchanged ones are only named; the others are published in one run whose
    notebooks share one pool of workers (local, or Dask at EXECUTOR). Holds every year's lock."""
    import contextlib

    years = backfill_years(args)
    todo, codes = [], []
    for paths in years:
        args.year = paths.year
        unchanged = report_unchanged(args, paths)
        if unchanged is None:
            todo.append(paths)
        else:
            codes.append(unchanged)
    if not todo:
        return max(codes)
    executors.check(args.executor)
    with contextlib.ExitStack() as stack:
        for paths in todo:
            stack.enter_context(lock.hold(paths.reports_root, paths.year, f"backfill {args.first}-{args.last}"))
        info = provenance.RunInfo.now(stages.CODE_ROOT)
        args.run, args.run_id = info, stages.run_id(info)
        args.log_dir = runlog.start(todo[-1].year, args.run_id)
        for paths in todo:
            removed = stages.remove_leftovers(paths)
            if removed:
                print(f"Ryddet op efter en afbrudt kørsel af {paths.year}: fjernet {len(removed)} efterladte filer "
                      "og mapper.")
        log.info("green-accounts-pipeline %s: backfill %s-%s (%d years to publish) executor=%s root=%s",
                 __version__, args.first, args.last, len(todo), args.executor, config.ROOT)
        runs = stages.report_years(todo, args.municipality, args.workers, config.TARGETS, run=args.run,
                                   work_dir=args.log_dir, force=args.force, executor=args.executor)
        for paths, run in zip(todo, runs, strict=True):
            codes.append(print_report(args, paths, run))
    return max(codes)


def report_unchanged(args, paths: config.YearPaths) -> int | None:
    """`make report` when nothing has changed since the live publication was made: say so, write nothing
    (no lock, no log folder, no generation) and return the exit code the publication stands for; None
    when something changed (or FORCE=1), and the run goes on."""
    if args.command not in ("report", "backfill") or args.force:
        return None
    record = stages.unchanged_publication(paths, config.TARGETS)
    if record is None:
        return None
    states = {c: p for c, p in record.municipalities.items()
              if args.municipality is None or c == args.municipality.code}
    if not states:  # the municipality asked for is not in the publication: the run says why
        return None
    blocked = sorted(c for c, p in states.items() if p.state == "blocked")
    made = provenance.RunInfo.from_dict(record.run).generated_da
    print(f"Grønne regnskaber {args.year}: intet ændret siden kørslen {made}. Leverancer, mål og programkode er de samme, "
          f"så intet er dannet igen, og intet er skrevet.")
    print(f"Udgivet: {len(states) - len(blocked)}, blokeret: {len(blocked)}"
          + (f" ({', '.join(registry.get(c).name for c in blocked)})" if blocked else "")
          + f". Oversigt: {paths.index}")
    print(f"Kør `make report YEAR={args.year} FORCE=1` for at danne alle regnskaber igen.")
    code = EXIT_BLOCKED if blocked else EXIT_OK
    print(report_summary.exit_line(code))
    return code
