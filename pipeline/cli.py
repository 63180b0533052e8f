"""The one command line behind the Makefile: `python -m pipeline {fetch-emissions,ingest,validate,report,pdf,verify}`."""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import signal
import sys
import threading

from pipeline import (
    __version__,
    config,
    errors,
    formatting,
    ingest,
    lock,
    provenance,
    registry,
    report_summary,
    runlog,
)
from pipeline import run as stages
from pipeline.errors import ParameterError, PipelineError
from pipeline.report_commands import (  # noqa: F401 - MAX_PRINTED and print_failures are used by tests
    MAX_PRINTED,
    cmd_backfill,
    cmd_report,
    print_failures,
    report_unchanged,
)

log = logging.getLogger("pipeline.cli")

EXIT_OK, EXIT_BLOCKED, EXIT_INPUT = report_summary.EXIT_OK, report_summary.EXIT_BLOCKED, report_summary.EXIT_INPUT
EXIT_BUSY = 3  # another run holds the year's lock
EXIT_ENVIRONMENT = 4  # a read-only folder, a full disk, a missing permission
EXIT_BUG = 5  # an unexpected error in the pipeline itself (traceback in the run's log file)
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # Ctrl-C, SIGTERM (the shell's 128 + signal number)


def parse_year(text: str, name: str = "YEAR") -> int:
    if not (len(text.strip()) == 4 and text.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"{name}='{text}' er ikke et årstal med fire cifre (fx {name}=2024)")
    return int(text)


def parse_from(text: str) -> int:
    return parse_year(text, "FROM")


def parse_to(text: str) -> int:
    return parse_year(text, "TO")


def parse_municipality(text: str) -> registry.Municipality:
    try:
        return registry.get(text)
    except KeyError as exc:
        raise argparse.ArgumentTypeError(f"MUNICIPALITY={exc.args[0]}") from None


def parse_workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"WORKERS='{text}' skal være et positivt heltal")
    return int(text)


def parse_data_years(text: str) -> range:
    first, _, last = text.strip().partition("-")
    if not (first.isdigit() and len(first) == 4 and (not last or (last.isdigit() and len(last) == 4))) \
            or int(last or first) < int(first):
        raise argparse.ArgumentTypeError(f"DATA_YEARS='{text}' skal være et år eller et interval, fx 2018-2022")
    return range(int(first), int(last or first) + 1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in [("ingest", "read data/raw/YEAR into data/processed/YEAR"),
                       ("validate", "ingest + validate YEAR, write the auditor's pages"),
                       ("report", "ingest, validate and publish the green accounts for YEAR"),
                       ("pdf", "print the published reports of YEAR to PDF with Chromium"),
                       ("verify", "recompute the SHA-256 of every input of YEAR's published pages")]:
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--year", type=parse_year, required=True)
        cmd.add_argument("--municipality", type=parse_municipality, default=None)
        cmd.add_argument("--workers", type=parse_workers, default=None)
        if name == "report":
            add_render_options(cmd)
    backfill = sub.add_parser("backfill", help="publish every year FROM..TO, all notebooks in one pool")
    backfill.add_argument("--from", dest="first", type=parse_from, required=True)
    backfill.add_argument("--to", dest="last", type=parse_to, required=True)
    backfill.add_argument("--municipality", type=parse_municipality, default=None)
    backfill.add_argument("--workers", type=parse_workers, default=None)
    add_render_options(backfill)
    fetch = sub.add_parser("fetch-emissions", help="fetch Energi- og CO2-regnskabet's key figures "
                           "for YEAR into data/raw/YEAR (key in KLIMAREGNSKAB_API_KEY)")
    fetch.add_argument("--year", type=parse_year, required=True, help="the report year (edition)")
    fetch.add_argument("--municipality", type=parse_municipality, default=None,
                       help="one municipality; default: every municipality with a targets file")
    fetch.add_argument("--data-years", type=parse_data_years, default=None,
                       help="data years to ask for, e.g. 2018-2022 (default: 2018 to YEAR-1)")
    return parser


def parse_executor(text: str) -> str:
    from pipeline import executors

    try:
        return executors.parse(text)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_render_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--force", action="store_true",
                     help="render every municipality again, even when nothing has changed")
    cmd.add_argument("--executor", type=parse_executor, default="local",
                     help="where the notebooks run: local (default) or dask://host:port")


def log_run_start(args, paths: config.YearPaths) -> None:
    """Log the configuration and a checksum of every input, as RAP pipelines do."""
    log.info("green-accounts-pipeline %s: %s year=%s municipality=%s workers=%s root=%s", __version__,
             args.command, args.year, args.municipality.code if args.municipality else "alle",
             args.workers or os.cpu_count(), config.ROOT)
    folder = paths.raw
    for muni in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        files = {p.name: ingest.sha256(p) for p in sorted(muni.iterdir()) if p.is_file()}
        for name, checksum in files.items():
            log.debug("input %s/%s sha256=%s", muni, name, checksum)
        combined = hashlib.sha256("".join(f"{n}{c}" for n, c in files.items()).encode()).hexdigest()
        log.info("input data/raw/%s/%s: %d files, sha256 %s", args.year, muni.name, len(files), combined[:16])


def cmd_ingest(args, paths: config.YearPaths) -> int:
    result = ingest.run(args.year, paths.raw_root, paths.processed_root)
    print(f"Indlæst {args.year}: {len(result.manifest.municipalities)} kommuner, "
          + ", ".join(f"{n} {len(t)} rækker" for n, t in result.tables.items()))
    for code, entry in result.manifest.municipalities.items():
        if entry.missing:
            print(f"  {registry.get(code).name} ({code}) mangler: {', '.join(entry.missing)}")
    return EXIT_OK


def cmd_validate(args, paths: config.YearPaths) -> int:
    preview = stages.preview_paths(paths)
    run = stages.validate(preview, args.municipality, args.run)
    blocked = print_failures(run, paths)
    print(f"Validering {args.year}: {len(run.results)} kommuner, {blocked} blokeret. Forhåndsvisning af "
          f"revisorens sider: {preview.validation / 'index.html'} (udgives med `make report YEAR={args.year}`)")
    return EXIT_BLOCKED if blocked else EXIT_OK


def cmd_pdf(args, paths: config.YearPaths) -> int:
    try:
        written = stages.print_pdfs(paths, args.municipality, args.run)
    except FileNotFoundError as exc:
        raise ParameterError(f"Der er ingen udgivne rapporter for {args.year} at printe - kør først "
                             f"`make report YEAR={args.year}` ({exc})") from None
    print(f"{len(written)} PDF-filer skrevet i {paths.pdf}")
    return EXIT_OK


def cmd_verify(args, paths: config.YearPaths) -> int:
    from pipeline import verify

    return verify.main(paths)


def cmd_fetch_emissions(args) -> int:
    from pipeline import fetch

    if args.municipality:
        codes = [args.municipality.code]
    else:
        codes = sorted(int(p.stem) for p in config.TARGETS.glob("*.yaml") if p.stem.isdigit())
        if not codes:
            raise ParameterError(f"Ingen målfiler i {config.TARGETS}: angiv en kommune, fx MUNICIPALITY=151")
    written = fetch.fetch(args.year, codes, config.RAW, args.data_years)
    print(f"Klimaregnskabet, udgave {args.year}:")
    for code in codes:
        muni, files = registry.get(code), written.get(code, [])
        years = sorted(p.stem.removeprefix("emissions_") for p in files if p.stem[-4:].isdigit())
        text = f"dataår {', '.join(years)} gemt i {files[0].parent}" if years else "ingen data; intet gemt"
        print(f"  {muni.code3} {muni.name:<16} {text}")
    return EXIT_OK


COMMANDS = {"ingest": cmd_ingest, "validate": cmd_validate,
            "report": cmd_report, "pdf": cmd_pdf, "verify": cmd_verify}


def _console_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=runlog.FORMAT, datefmt="%H:%M:%S")
    for handler in logging.getLogger().handlers:  # the log file (runlog) may take DEBUG; the console not
        if type(handler) is logging.StreamHandler:
            handler.setLevel(logging.DEBUG if verbose else logging.INFO)


def run_locked(args, paths: config.YearPaths) -> int:
    """Hold the year's lock, clean up after interrupted runs, log to the run's folder, run the command."""
    with lock.hold(paths.reports_root, args.year, f"{args.command} {args.year}"):
        info = provenance.RunInfo.now(stages.CODE_ROOT)
        args.run, args.run_id = info, stages.run_id(info)
        args.log_dir = runlog.start(args.year, args.run_id)
        removed = stages.remove_leftovers(paths)
        if removed:
            print(f"Ryddet op efter en afbrudt kørsel: fjernet "
                  f"{formatting.count_da(len(removed), 'efterladt fil eller mappe', 'efterladte filer og mapper')} "
                  f"({', '.join(str(p.relative_to(config.ROOT)) if p.is_relative_to(config.ROOT) else str(p) for p in removed[:5])}"
                  f"{', …' if len(removed) > 5 else ''}).")
        log_run_start(args, paths)
        return COMMANDS[args.command](args, paths)


class Terminated(BaseException):
    """SIGTERM (a scheduler stopping the run): unwinds like Ctrl-C, so no half-built generation is left."""


def _terminate(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _console_logging(args.verbose)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    args.log_dir = None
    try:
        if args.command == "backfill":
            return cmd_backfill(args)
        if args.command == "fetch-emissions":  # writes the year's deliveries: the folder may not exist yet
            log.info("green-accounts-pipeline %s: fetch-emissions year=%s municipality=%s root=%s",
                     __version__, args.year, args.municipality.code if args.municipality else "alle",
                     config.ROOT)
            return cmd_fetch_emissions(args)
        paths = config.YearPaths(args.year, config.RAW, config.PROCESSED, config.REPORTS)
        ingest.check_year(args.year, paths.raw_root)
        if args.command == "verify":  # reads only: no lock, no log folder
            log_run_start(args, paths)
            return cmd_verify(args, paths)
        unchanged = report_unchanged(args, paths)  # decided from file bytes, before anything is written
        if unchanged is not None:
            return unchanged
        return run_locked(args, paths)
    except lock.RunInProgress as exc:
        print(f"\nOPTAGET: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except errors.EnvironmentProblem as exc:
        print(f"\nFEJL I MILJØET: {exc}\n{_unchanged(args)}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except PipelineError as exc:
        print(f"\nFEJL: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        log.debug("environment error", exc_info=True)
        print(f"\nFEJL I MILJØET: {errors.describe_environment(exc)}\n{_unchanged(args)}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except (KeyboardInterrupt, Terminated) as exc:
        print(f"\nAfbrudt. {_unchanged(args)}", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        where = f"Detaljer og traceback: {args.log_dir / runlog.LOG_NAME}" if args.log_dir \
            else "Kør med --verbose for detaljer"
        print(f"\nUVENTET FEJL i pipelinen ({type(exc).__name__}: {exc}). {where}. {_unchanged(args)} "
              f"Meld fejlen til udviklerne med logfilen.", file=sys.stderr)
        return EXIT_BUG
    finally:
        runlog.stop()


def _unchanged(args) -> str:
    if args.command in ("report", "pdf"):
        return f"Den tidligere udgivelse i reports/{args.year}/ er uændret."
    if args.command == "backfill":
        return f"De tidligere udgivelser af {args.first}-{args.last} i reports/ er uændrede."
    return ""
