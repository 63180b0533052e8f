"""The one command line behind the Makefile: `python -m pipeline {ingest,validate,report,pdf,sample,bench}`."""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys

from pipeline import __version__, config, ingest, registry
from pipeline.errors import DeliveryError, ParameterError, PipelineError

log = logging.getLogger("pipeline.cli")

EXIT_OK, EXIT_BLOCKED, EXIT_INPUT = 0, 1, 2


def parse_year(text: str) -> int:
    if not (len(text.strip()) == 4 and text.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"YEAR='{text}' er ikke et årstal med fire cifre (fx YEAR=2024)")
    return int(text)


def parse_municipality(text: str) -> int:
    try:
        return registry.get(text).code
    except KeyError as exc:
        raise argparse.ArgumentTypeError(f"MUNICIPALITY={exc.args[0]}") from None


def parse_workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"WORKERS='{text}' skal være et positivt heltal")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in [("ingest", "read data/raw/YEAR into data/processed/YEAR"),
                       ("validate", "ingest + validate YEAR, write the auditor's pages"),
                       ("report", "ingest, validate and publish the green accounts for YEAR"),
                       ("pdf", "print the published reports of YEAR to PDF with Chromium"),
                       ("bench", "print timing figures for each stage")]:
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--year", type=parse_year, required=True)
        cmd.add_argument("--municipality", type=parse_municipality, default=None)
        cmd.add_argument("--workers", type=parse_workers, default=None)
    sub.add_parser("sample", help="regenerate the seeded sample deliveries in data/raw")
    return parser


def log_run_start(args) -> None:
    """Log the configuration and a checksum of every input, as RAP pipelines do."""
    log.info("green-accounts-pipeline %s: %s year=%s municipality=%s workers=%s root=%s", __version__,
             args.command, args.year, args.municipality or "alle", args.workers or os.cpu_count(), config.ROOT)
    folder = config.raw_year_dir(args.year)
    for muni in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        files = {p.name: ingest.sha256(p) for p in sorted(muni.iterdir()) if p.is_file()}
        for name, checksum in files.items():
            log.debug("input %s/%s sha256=%s", muni, name, checksum)
        combined = hashlib.sha256("".join(f"{n}{c}" for n, c in files.items()).encode()).hexdigest()
        log.info("input data/raw/%s/%s: %d files, sha256 %s", args.year, muni.name, len(files), combined[:16])


def ingest_history(year: int) -> None:
    """Ingest earlier years for the KPI history; a broken old year is logged and left out."""
    for earlier in ingest.available_years():
        if earlier >= year:
            continue
        try:
            ingest.run(earlier, reuse=True, strict=False)
        except DeliveryError as exc:
            log.warning("historikken for %s udelades, fordi leverancerne ikke kan læses:\n%s", earlier, exc)


def validate_stage(year: int, municipality: int | None = None):
    """Ingest YEAR (and YEAR-1 for year-over-year checks), validate, write results and the auditor's pages.

    A municipality whose files cannot be read is blocked like a critical failure; the others go on.
    """
    current = ingest.run(year, strict=False)
    previous = None
    if year - 1 in ingest.available_years():
        try:
            previous = ingest.run(year - 1, reuse=True, strict=False).tables
        except DeliveryError as exc:
            log.warning("år-til-år-kontrollen springes over: %s kan ikke læses:\n%s", year - 1, exc)
    from pipeline import validate, validation_report

    results = validate.validate_year(year, current.tables, current.manifest, previous)
    validate.write_results(results, year)
    validation_report.write_validation_pages(year, results, config.validation_dir(year),
                                             ingestion_blocked=current.blocked)
    if municipality is not None and municipality in current.blocked:
        return results, current.blocked
    if municipality is not None and municipality not in results:
        raise ParameterError(f"{registry.get(municipality).name} ({municipality}) har ingen leverance for {year} "
                             f"i {config.raw_year_dir(year)}")
    return results, current.blocked


def print_failures(results, unreadable: dict[int, list[str]], stream=sys.stderr) -> int:
    """Print every critical failure with municipality, file, row and value; return the blocked count."""
    for code, problems in sorted(unreadable.items()):
        print(f"\nBLOKERET: {registry.get(code).name} ({code}) - leverancen kan ikke læses; "
              "den seneste udgivne rapport beholdes.", file=stream)
        for problem in problems:
            print(f"  - {problem}", file=stream)
    blocked = [r for r in results.values() if r.status == "blocked"]
    for r in blocked:
        muni = registry.get(r.code)
        print(f"\nBLOKERET: {muni.name} ({r.code}) {r.year} - rapporten udgives ikke; den seneste udgivne beholdes.",
              file=stream)
        for f in r.failures_detail:
            if f["severity"] == "critical":
                print(f"  - {f['message']}", file=stream)
    return len(blocked) + len(unreadable)


def cmd_ingest(args) -> int:
    result = ingest.run(args.year)
    missing = {c: e["missing"] for c, e in result.manifest["municipalities"].items() if e["missing"]}
    print(f"Indlæst {args.year}: {len(result.manifest['municipalities'])} kommuner, "
          + ", ".join(f"{n} {len(t)} rækker" for n, t in result.tables.items()))
    for code, names in missing.items():
        print(f"  {registry.get(code).name} ({code}) mangler: {', '.join(names)}")
    return EXIT_OK


def cmd_validate(args) -> int:
    results, unreadable = validate_stage(args.year, args.municipality)
    blocked = print_failures(results, unreadable)
    print(f"Validering {args.year}: {len(results)} kommuner, {blocked} blokeret. "
          f"Revisorens sider: {config.validation_dir(args.year) / 'index.html'}")
    return EXIT_BLOCKED if blocked else EXIT_OK


def cmd_report(args) -> int:
    from pipeline import overview, render

    ingest_history(args.year)
    results, unreadable = validate_stage(args.year, args.municipality)
    passed = [c for c, r in sorted(results.items()) if r.status == "published"
              and (args.municipality is None or c == args.municipality)]
    outcomes = render.render_all(passed, args.year, args.workers, progress=True)
    overview.write_year(args.year)
    selected = (lambda c: args.municipality is None or c == args.municipality)
    blocked = print_failures({c: r for c, r in results.items() if selected(c)},
                             {c: p for c, p in unreadable.items() if selected(c)})
    failed = [o for o in outcomes if not o.ok]
    print(f"\nGrønne regnskaber {args.year}:")
    for o in outcomes:
        muni = registry.get(o.code)
        warnings = results[o.code].failures.get("warning", 0)
        note = f"udgivet ({warnings} advarsel(er) vist som forbehold)" if warnings else "udgivet"
        print(f"  {muni.code3} {muni.name:<16} {note if o.ok else 'FEJL: ' + (o.error or '')}"
              f"  [{o.seconds:.1f} s]")
    print(f"Udgivet: {sum(o.ok for o in outcomes)}, blokeret: {blocked}, fejlet: {len(failed)}. "
          f"Oversigt: {config.reports_year_dir(args.year) / 'index.html'}")
    return EXIT_BLOCKED if blocked or failed else EXIT_OK


def cmd_pdf(args) -> int:
    from pipeline import pdf

    try:
        paths = pdf.print_year(args.year, municipality=args.municipality)
    except FileNotFoundError as exc:
        raise ParameterError(f"Der er ingen udgivne rapporter for {args.year} at printe - kør først "
                             f"`make report YEAR={args.year}` ({exc})") from None
    print(f"{len(paths)} PDF-filer skrevet i {config.pdf_dir(args.year)}")
    return EXIT_OK


def cmd_sample(args) -> int:
    from pipeline import sample

    paths = sample.generate()
    print(f"{len(paths)} eksempelfiler skrevet i {config.RAW}")
    return EXIT_OK


def cmd_bench(args) -> int:
    from pipeline import bench

    bench.run(args.year, args.workers)
    return EXIT_OK


COMMANDS = {"ingest": cmd_ingest, "validate": cmd_validate, "report": cmd_report, "pdf": cmd_pdf,
            "sample": cmd_sample, "bench": cmd_bench}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")
    try:
        if getattr(args, "year", None) is not None:
            ingest.check_year(args.year)
            log_run_start(args)
        return COMMANDS[args.command](args)
    except PipelineError as exc:
        print(f"\nFEJL: {exc}", file=sys.stderr)
        return EXIT_INPUT
