"""The climate account: the municipality's territorial CO2e against its DK2020 target path, the manko and
restated years (issue 10; the emissions dataset itself is read by pipeline.ingest)."""
