"""Validation stage: GX suites → per-municipality outcomes, summaries and the auditor's pages.

Great Expectations is imported lazily (validate.runner), once per pipeline process, never in a notebook.
"""

from pipeline.validate.pages import write_pages
from pipeline.validate.run import validate_year
from pipeline.validate.summary import (
    MunicipalityValidation,
    ValidationSummary,
    load_results,
    load_summaries,
    load_summary,
    write_results,
)

__all__ = ["MunicipalityValidation", "ValidationSummary", "load_results", "load_summaries", "load_summary",
           "validate_year", "write_pages", "write_results"]
