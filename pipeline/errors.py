"""Exceptions that tell the user exactly which file, row, column and value is wrong."""

from __future__ import annotations

import errno
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a delivery. `row` is the row number a spreadsheet shows (header = 1)."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None

    # How `row` and `column` are named in the message (a targets file says "linje" and "nøgle").
    ROW_WORD, COLUMN_WORD = "række", "kolonne"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.ROW_WORD} {self.row}"
        if self.column is not None:
            where += f", {self.COLUMN_WORD} '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (værdi: {self.value!r})"
        if self.expected:
            text += f"; forventet: {self.expected}"
        return text


class PipelineError(Exception):
    """Base class: an error the user can fix; the CLI prints it without a traceback."""


MAX_PROBLEMS_PER_FILE = 20  # problems shown per file where people read them; the rest are counted


def capped(problems: list[Problem], per_file: int = MAX_PROBLEMS_PER_FILE) -> list[str]:
    """PROBLEMS as lines, at most PER_FILE per file, each file's rest counted in one line (a delivery
    with 200.000 unreadable cells must not print 200.000 lines or write them into the manifest)."""
    lines, shown, hidden = [], {}, {}
    for problem in problems:
        shown[problem.file] = shown.get(problem.file, 0) + 1
        if shown[problem.file] <= per_file:
            lines.append(str(problem))
        else:
            hidden[problem.file] = hidden.get(problem.file, 0) + 1
    for file, count in hidden.items():
        more = f"{count:,}".replace(",", ".")
        lines.append(f"{file}: … og {more} {'problem' if count == 1 else 'problemer'} mere i filen "
                     "(hele listen i validation/failures.csv efter `make report`)")
    return lines


class DeliveryError(PipelineError):
    """A delivery that cannot be read; counts every problem found, and lists them capped per file."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(er) i leverancerne - intet er skrevet:"]
        lines += [f"  - {line}" for line in capped(self.problems)]
        super().__init__("\n".join(lines))


class ParameterError(PipelineError):
    """A bad run parameter (year, municipality, worker count)."""


class EnvironmentProblem(PipelineError):
    """The machine, not the data: a read-only folder, a full disk, a missing permission."""


# errno values that mean the environment stops the run (no data or code fix helps).
_ENVIRONMENT_ERRNOS = {
    errno.EACCES: ("Ingen adgang til {path}",
                   ("giv brugeren, der kører pipelinen, skriveadgang til mappen (fx med chown eller chmod), "
                   "eller kør i en kopi af projektet, hvor du har adgang")),
    errno.EPERM: ("Handlingen er ikke tilladt på {path}",
                  "giv brugeren, der kører pipelinen, de nødvendige rettigheder til mappen"),
    errno.EROFS: ("{path} ligger på et skrivebeskyttet filsystem",
                  "montér mappen skrivbar, eller kør i en kopi af projektet på en skrivbar disk"),
    errno.ENOSPC: ("Der er ikke mere plads på disken ved {path}",
                   "frigør plads (fx gamle logfiler i logs/ eller `make clean`) og kør igen"),
    errno.EDQUOT: ("Diskkvoten er brugt op ved {path}",
                   "frigør plads eller bed om en større kvote, og kør igen"),
    errno.EMFILE: ("For mange åbne filer ved {path}",
                   "hæv grænsen for åbne filer (ulimit -n) eller kør med færre WORKERS"),
    errno.EIO: ("Disken gav en I/O-fejl ved {path}", "kontrollér disken, og kør igen"),
}


def is_environment(exc: BaseException) -> bool:
    """True for an OSError that the machine causes (permissions, read-only or full disk)."""
    return isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS


def describe_environment(exc: OSError) -> str:
    """A Danish message naming the path and what to do, for any OSError."""
    path = exc.filename or "(ukendt sti)"
    if exc.filename2:
        path = f"{exc.filename} → {exc.filename2}"
    what, todo = _ENVIRONMENT_ERRNOS.get(exc.errno, ("Filsystemet afviste {path}", ("kontrollér stien og "
                                                     "rettighederne, og kør igen")))
    detail = f" ({exc.strerror})" if exc.strerror else ""
    return f"{what.format(path=path)}{detail}: {todo}."
