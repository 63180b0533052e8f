"""The publication record: every file's checksum, so a changed, missing or extra file is named."""

import datetime as dt

from pipeline import config
from pipeline.publish import publication


def test_differences_name_every_changed_missing_and_extra_file(tmp_path):
    paths = config.YearPaths(2024, reports_root=tmp_path)
    (paths.reports / "validation").mkdir(parents=True)
    (paths.reports / "index.html").write_text("index")
    (paths.reports / "kpis.csv").write_text("a;b")
    (paths.reports / "validation" / "151-ballerup.html").write_text("page")
    record = publication.Publication(2024, {"generated": dt.datetime(2025, 1, 1).isoformat()},
                                     {151: publication.Page(publication.PUBLISHED, "151-ballerup.html")})
    publication.seal(paths, record)
    assert publication.differences(paths.reports) == []
    assert publication.load(paths).municipalities[151].page == "151-ballerup.html"
    (paths.reports / "index.html").write_text("changed by hand")
    (paths.reports / "kpis.csv").unlink()
    (paths.reports / "extra.html").write_text("x")
    assert publication.differences(paths.reports) == [
        "index.html: ændret", "kpis.csv: mangler", "extra.html: ikke i udgivelsen"]
