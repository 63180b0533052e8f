"""Ingestion of a year's delivery folders: provenance, missing datasets and the error messages."""

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import ingest
from pipeline.errors import DeliveryError, ParameterError
from pipeline.ingest.store import write_processed
from tests.factories import FORMATS

FLEET = "vehicle_id,vehicle_class,propulsion,in_service_since\nBA-1,personbil,el,2021-03-01\nBA-2,varebil,diesel,2019-05-01\n"


@pytest.fixture
def raw(tmp_path):
    root = tmp_path / "raw"
    (root / "2024" / "151").mkdir(parents=True)
    (root / "2024" / "741").mkdir(parents=True)
    shutil.copy(FORMATS / "buildings_semicolon_decimal_comma_cp1252.csv", root / "2024" / "151" / "buildings.csv")
    (root / "2024" / "151" / "fleet.csv").write_text(FLEET, encoding="utf-8")
    shutil.copy(FORMATS / "buildings.xlsx", root / "2024" / "741" / "buildings.xlsx")
    return root


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_tables_cover_all_municipalities_with_provenance(raw, tmp_path):
    before = digest(raw)
    result = ingest.ingest_year(2024, raw, root=tmp_path)
    buildings = result.tables["buildings"]
    assert sorted(buildings["municipality_code"].unique()) == [151, 741]
    assert set(buildings["year"]) == {2024}
    row = buildings[(buildings.municipality_code == 151) & (buildings.building_id == "B-003")].iloc[0]
    assert row["source_file"] == "raw/2024/151/buildings.csv" and row["source_row"] == 4
    assert row["heated_area_m2"] == 12040.25
    assert len(result.tables["fleet"]) == 2 and result.tables["waste"].empty
    assert list(result.tables["waste"].columns)[-4:] == ["municipality_code", "year", "source_file", "source_row"]
    assert digest(raw) == before, "raw files must never be modified"


def test_missing_datasets_are_reported_in_manifest_not_fatal(raw, tmp_path):
    manifest = ingest.ingest_year(2024, raw, root=tmp_path).manifest
    assert isinstance(manifest, ingest.Manifest) and sorted(manifest.municipalities) == [151, 741]
    assert manifest.municipalities[741].missing == ["construction_projects", "fleet", "waste", "actions"]
    assert manifest.delivered(741) == ["buildings"]
    entry = manifest.files(151)["fleet"]
    assert entry.rows == 2 and entry.sha256 == hashlib.sha256(FLEET.encode()).hexdigest()
    assert entry.file == "raw/2024/151/fleet.csv"
    document = manifest.to_dict()  # manifest.json as before: string codes, plain dicts
    assert document["municipalities"]["741"]["missing"] == ["construction_projects", "fleet", "waste", "actions"]
    assert document["municipalities"]["151"]["datasets"]["fleet"] == {
        "file": "raw/2024/151/fleet.csv", "sha256": entry.sha256, "rows": 2}


def test_written_tables_round_trip(raw, tmp_path):
    processed = tmp_path / "processed"
    result = ingest.ingest_year(2024, raw, root=tmp_path)
    write_processed(2024, result.tables, result.manifest, processed)
    loaded = ingest.load_processed(2024, processed)
    assert set(loaded) == set(result.tables)
    for name, table in result.tables.items():
        pd.testing.assert_frame_equal(loaded[name], table, obj=name)
    assert json.loads((processed / "2024" / "manifest.json").read_text())["year"] == 2024
    assert ingest.load_manifest(2024, processed) == result.manifest
    assert sorted(p.name for p in processed.iterdir()) == ["2024"], "no temp dirs may be left behind"


def test_bad_value_names_file_row_column_and_writes_nothing(raw, tmp_path):
    (raw / "2024" / "151" / "waste.csv").write_text(
        "fraction;treatment;tonnes\npapir;genanvendelse;12,5\nplast;genanvendelse;tolv\n", encoding="cp1252")
    processed = tmp_path / "processed"
    with pytest.raises(DeliveryError) as err:
        ingest.run(2024, raw, processed)
    assert "raw/2024/151/waste.csv, række 3, kolonne 'tonnes'" in str(err.value)
    assert "'tolv'" in str(err.value)
    assert not (processed / "2024").exists()


def test_failed_run_keeps_previous_processed_year(raw, tmp_path):
    processed = tmp_path / "processed"
    result = ingest.ingest_year(2024, raw, root=tmp_path)
    write_processed(2024, result.tables, result.manifest, processed)
    before = digest(processed / "2024")
    (raw / "2024" / "151" / "fleet.csv").write_text(FLEET.replace("2019-05-01", "sidste år"))
    with pytest.raises(DeliveryError):
        ingest.run(2024, raw, processed)
    assert digest(processed / "2024") == before


@pytest.mark.parametrize("name,content,expected", [
    ("fleet.xls", b"x", "forkert filtype '.xls' - gem filen som .xlsx"),
    ("notes.pdf", b"x", "forkert filtype '.pdf'"),
    ("affald.csv", b"a,b\n", "ukendt datasæt 'affald'"),
])
def test_wrong_files_get_their_own_message(raw, tmp_path, name, content, expected):
    (raw / "2024" / "151" / name).write_bytes(content)
    with pytest.raises(DeliveryError) as err:
        ingest.ingest_year(2024, raw, root=tmp_path)
    assert expected in str(err.value) and f"raw/2024/151/{name}" in str(err.value)


def test_unknown_municipality_folder(raw, tmp_path):
    (raw / "2024" / "999").mkdir()
    with pytest.raises(DeliveryError, match="ukendt kommune-mappe '999'"):
        ingest.ingest_year(2024, raw, root=tmp_path)


def test_same_dataset_twice(raw, tmp_path):
    (raw / "2024" / "151" / "fleet.xlsx").write_bytes(b"x")
    with pytest.raises(DeliveryError, match="leveret to gange"):
        ingest.ingest_year(2024, raw, root=tmp_path)


def test_year_without_deliveries_names_the_years_that_exist(raw):
    with pytest.raises(ParameterError, match="ingen leverancer for 2023.*År med leverancer: 2024"):
        ingest.ingest_year(2023, raw)


@pytest.mark.parametrize("year", [24, 20245])
def test_year_must_have_four_digits(raw, year):
    with pytest.raises(ParameterError, match="fire cifre"):
        ingest.check_year(year, raw)


def test_reuse_skips_unchanged_years_and_rereads_changed_ones(raw, tmp_path, monkeypatch):
    processed = tmp_path / "processed"
    first = ingest.run(2024, raw, processed)
    calls = []
    monkeypatch.setattr(ingest, "ingest_year", lambda *a, **k: calls.append(a) or first)
    again = ingest.run(2024, raw, processed, reuse=True)
    assert calls == [], "unchanged inputs must not be re-read"
    pd.testing.assert_frame_equal(again.tables["buildings"], first.tables["buildings"])
    (raw / "2024" / "151" / "fleet.csv").write_text(FLEET + "BA-3,personbil,el,2024-01-01\n")
    ingest.run(2024, raw, processed, reuse=True)
    assert len(calls) == 1, "a changed delivery must be re-read"


def test_lenient_mode_leaves_out_only_the_unreadable_municipality(raw, tmp_path):
    (raw / "2024" / "151" / "waste.csv").write_text("fraction,treatment,tonnes\nplast,genanvendelse,tolv\n")
    with pytest.raises(DeliveryError):
        ingest.ingest_year(2024, raw, root=tmp_path)
    result = ingest.ingest_year(2024, raw, root=tmp_path, strict=False)
    assert list(result.blocked) == [151]
    assert "raw/2024/151/waste.csv, række 2, kolonne 'tonnes'" in result.blocked[151][0]
    assert set(result.tables["buildings"]["municipality_code"]) == {741}
    assert 151 not in result.manifest.municipalities and result.tables["fleet"].empty
    assert result.manifest.delivered(151) == [] and result.manifest.delivered(741) == ["buildings"]
    assert result.manifest.to_dict()["blocked"] == {"151": result.blocked[151]}


def test_lenient_mode_still_stops_on_problems_that_belong_to_no_municipality(raw, tmp_path):
    (raw / "2024" / "999").mkdir()
    with pytest.raises(DeliveryError, match="ukendt kommune-mappe"):
        ingest.ingest_year(2024, raw, root=tmp_path, strict=False)


def test_a_symbolic_link_is_never_read_and_its_target_never_shown(raw, tmp_path):
    """Issue 11: a link to a file outside the project must not be read, published or named by its target."""
    secret = tmp_path / "outside" / "fleet.csv"
    secret.parent.mkdir()
    secret.write_text(FLEET, encoding="utf-8")
    (raw / "2024" / "151" / "fleet.csv").unlink()
    (raw / "2024" / "151" / "fleet.csv").symlink_to(secret)
    with pytest.raises(DeliveryError) as err:
        ingest.ingest_year(2024, raw, root=tmp_path)
    message = str(err.value)
    assert "2024/151/fleet.csv: filen er et symbolsk link og læses ikke" in message
    assert "forventet: en almindelig fil" in message and "outside" not in message
    result = ingest.ingest_year(2024, raw, root=tmp_path, strict=False)
    assert 151 in result.manifest.blocked and 151 not in result.manifest.municipalities


def test_a_flood_of_unreadable_cells_is_counted_and_capped_where_people_read_it(raw, tmp_path):
    """5.000 unreadable tonnages: the message and the manifest show 20 and count the rest; the full list
    is kept for failures.csv."""
    from pipeline import config
    from pipeline.errors import MAX_PROBLEMS_PER_FILE
    from pipeline.validate.failures import ingestion_rows, write_failures_csv

    rows = "".join(f"plast,genanvendelse,tolv{i}\n" for i in range(5000))
    (raw / "2024" / "151" / "waste.csv").write_text("fraction,treatment,tonnes\n" + rows)
    with pytest.raises(DeliveryError) as refused:
        ingest.ingest_year(2024, raw, root=tmp_path)
    message = str(refused.value)
    assert len(message.splitlines()) == 1 + MAX_PROBLEMS_PER_FILE + 1 and len(refused.value.problems) == 5000
    assert "… og 4.980 problemer mere i filen" in message
    result = ingest.ingest_year(2024, raw, root=tmp_path, strict=False)
    assert len(result.blocked[151]) == MAX_PROBLEMS_PER_FILE + 1 and len(result.problems[151]) == 5000
    paths = config.YearPaths(2024, reports_root=tmp_path / "reports")
    write_failures_csv(paths.failures_csv, ingestion_rows(result.problems))
    lines = paths.failures_csv.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 5000 and "række 5001" in lines[-1] and "tolv4999" in lines[-1]
