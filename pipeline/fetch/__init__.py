"""Fetching stage (before ingest): saves source responses unchanged as deliveries in data/raw/<YEAR>/.

`klimaregnskabet`: Energi- og CO2-regnskabet's API (klimaregnskabet.dk) → emissions_<data year>.json
and emissions_fetch.json per municipality (`python -m pipeline fetch-emissions`).
"""

from pipeline.fetch.klimaregnskabet import FetchError, fetch

__all__ = ["FetchError", "fetch"]
