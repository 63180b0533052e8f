"""A targets file's YAML read with the line of every key, and its problems (file, line, key, value, expected)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import config
from pipeline.errors import Problem

log = logging.getLogger(__name__)

YAML_HINT = "gyldig YAML; ret syntaksen, fx en manglende ']' eller '}', et tabulatortegn eller forkert indrykning"


@dataclass(frozen=True)
class TargetsProblem(Problem):
    """One problem in a targets file: `row` is the YAML line (1 = the first), `column` the key path,
    e.g. `targets.residual_waste_share.target.value` or `climate.milestones[0].year`."""

    ROW_WORD, COLUMN_WORD = "linje", "nøgle"


class Problems:
    """Every problem found in one targets file, in the order found; `lines` maps key paths to lines."""

    def __init__(self, path: Path | str, lines: dict[str, int] | None = None):
        self.file = display_path(path)
        self.lines = dict(lines or {})
        self.items: list[TargetsProblem] = []

    def add(self, key: str | None, message: str, value: object = None, expected: str | None = None,
            line: int | None = None) -> None:
        """Record a problem at KEY (a dotted path); its line is the key's, or the nearest parent's."""
        self.items.append(TargetsProblem(self.file, message, line or self.line_of(key), key, value, expected))

    def line_of(self, key: str | None) -> int | None:
        """The line of KEY, or of its nearest parent that is in the file (a missing key has none)."""
        while key:
            if key in self.lines:
                return self.lines[key]
            parent, _, last = key.rpartition(".")
            key = key.rpartition("[")[0] if "[" in last else parent
        return None

    def __len__(self) -> int:
        return len(self.items)


def display_path(path: Path | str) -> str:
    """PATH relative to the project root, as the delivery files are named in messages; else as given."""
    try:
        return Path(path).resolve().relative_to(config.ROOT.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def read(path: Path) -> tuple[object, Problems]:
    """The parsed YAML document and the problems found so far (unreadable, not UTF-8, bad YAML,
    a key written twice); the document is None when it could not be parsed."""
    problems = Problems(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        problems.add(None, f"filen kan ikke læses ({exc.strerror or exc})", expected="en læsbar YAML-fil")
        return None, problems
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1]
        problems.add(None, f"er ikke UTF-8-tekst: byten 0x{bad.hex().upper()} kan ikke læses (typisk æ, ø "
                     "eller å gemt som Windows-1252)", expected="UTF-8; gem filen som UTF-8",
                     line=data[:exc.start].count(b"\n") + 1)
        return None, problems
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.add(None, *_yaml_error(exc))
        return None, problems
    problems.lines = key_lines(node, problems)
    return doc, problems


def _yaml_error(exc: yaml.YAMLError) -> tuple:
    """(message, value, expected, line) for a YAML syntax error, with the line from the error's mark."""
    mark = getattr(exc, "problem_mark", None)
    start = getattr(exc, "context_mark", None) or mark
    detail = "; ".join(str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p)
    message = f"er ikke gyldig YAML (PyYAML: {detail or exc})"
    if mark is not None and start is not None and mark.line != start.line:
        message += f"; fejlen opdages i linje {mark.line + 1}"
    return message, None, YAML_HINT, None if start is None else start.line + 1


def key_lines(node, problems: Problems | None = None, prefix: str = "") -> dict[str, int]:
    """Key path → line of every key in a composed YAML node; a key written twice is a problem
    (PyYAML would silently keep the last one)."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in lines and problems is not None:
                problems.add(key, f"nøglen står to gange (også i linje {lines[key]}); kun den sidste ville "
                             "blive brugt", expected="hver nøgle én gang", line=line)
            lines[key] = line  # the last one counts, as in the parsed document
            lines.update(key_lines(value_node, problems, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = f"{prefix}[{i}]"
            lines[key] = item.start_mark.line + 1
            lines.update(key_lines(item, problems, key))
    return lines
