"""Outputs of a municipality that no longer delivers are removed; those of a blocked one are kept."""

from pipeline.publish import cleanup
from tests.factories import year_paths


def test_only_undelivered_municipalities_lose_their_outputs(tmp_path):
    paths = year_paths(tmp_path)
    files = ["151-ballerup.html", "notebooks/151-ballerup.ipynb", "pdf/151-ballerup.pdf",
             "147-frederiksberg.html", "notebooks/147-frederiksberg.ipynb", "pdf/147-frederiksberg.pdf",
             "provenance/147-frederiksberg.json", "index.html", "kpis.csv"]
    for name in files:
        (paths.reports / name).parent.mkdir(parents=True, exist_ok=True)
        (paths.reports / name).write_text("x", encoding="utf-8")
    removed = cleanup.remove_undelivered(paths, {151})
    assert sorted(p.relative_to(paths.reports).as_posix() for p in removed) == [
        "147-frederiksberg.html", "notebooks/147-frederiksberg.ipynb", "pdf/147-frederiksberg.pdf",
        "provenance/147-frederiksberg.json"]
    left = sorted(p.relative_to(paths.reports).as_posix() for p in paths.reports.rglob("*") if p.is_file())
    assert left == ["151-ballerup.html", "index.html", "kpis.csv", "notebooks/151-ballerup.ipynb",
                    "pdf/151-ballerup.pdf"]
    assert cleanup.remove_undelivered(paths, {151}) == []
