"""Exceptions that tell the user exactly which file, row, column and value is wrong."""

from __future__ import annotations

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

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", række {self.row}"
        if self.column is not None:
            where += f", kolonne '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (værdi: {self.value!r})"
        if self.expected:
            text += f"; forventet: {self.expected}"
        return text


class PipelineError(Exception):
    """Base class: an error the user can fix; the CLI prints it without a traceback."""


class DeliveryError(PipelineError):
    """A delivery that cannot be read; lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(er) i leverancerne - intet er skrevet:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ParameterError(PipelineError):
    """A bad run parameter (year, municipality, worker count)."""
