"""Section 'Om rapporten': pipeline version, git commit (and whether it had local changes), the run time,
and a link to the auditor's page that lists every input file with its SHA-256."""

from __future__ import annotations

from pipeline import config, provenance
from pipeline.account.sections import template

#: The section of the auditor's page with the checksum table (templates/validation/municipality.html.j2).
INPUTS_ANCHOR = "inddata"


def input_count(acc) -> int:
    """How many files the page is built from: every year's delivery files, the targets file, the registry."""
    has_targets = acc.targets.path is not None
    return sum(len(m.files(acc.code)) for m in acc.manifests.values()) + has_targets + 1


def html(acc) -> str:
    run = provenance.current_run(config.ROOT)
    return template("footer.html.j2", acc, run=run, inputs_href=f"{acc.validation_page}#{INPUTS_ANCHOR}",
                    input_count=input_count(acc), years=[y for y in sorted(acc.manifests) if acc.manifests[y].files(acc.code)],
                    has_targets=acc.targets.path is not None)
