"""Publication stage: year overview, open data and PDF."""
