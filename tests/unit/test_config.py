"""Every file name comes from config.YearPaths, built from the three roots."""

from pathlib import Path

from pipeline import config, registry


def test_year_paths_name_every_file_of_a_year(tmp_path):
    paths = config.YearPaths(2024, tmp_path / "raw", tmp_path / "processed", tmp_path / "reports")
    ballerup = registry.get(151)
    assert paths.raw == tmp_path / "raw" / "2024"
    assert paths.table("fleet") == tmp_path / "processed" / "2024" / "fleet.parquet"
    assert paths.manifest.name == "manifest.json" and paths.kpis.name == "kpis.parquet"
    assert paths.report(ballerup) == tmp_path / "reports" / "2024" / "151-ballerup.html"
    assert paths.validation_page(ballerup) == tmp_path / "reports/2024/validation/151-ballerup.html"
    assert paths.validation_summary(ballerup).name == "151-ballerup.summary.json"
    assert paths.validation_results(ballerup).name == "151-ballerup.json"
    assert paths.notebook(ballerup) == tmp_path / "reports/2024/notebooks/151-ballerup.ipynb"
    assert paths.failed_notebook(ballerup).name == "151-ballerup.failed.ipynb"
    assert (paths.index.name, paths.open_data_csv.name, paths.open_data_json.name) == (
        "index.html", "kpis.csv", "kpis.json")
    assert paths.pdf == tmp_path / "reports" / "2024" / "pdf"


def test_year_paths_accept_strings_and_default_to_the_project():
    paths = config.YearPaths("2023", "/x/raw")
    assert paths.year == 2023 and paths.raw == Path("/x/raw/2023")
    assert paths.processed_root == config.PROCESSED and paths.reports_root == config.REPORTS
