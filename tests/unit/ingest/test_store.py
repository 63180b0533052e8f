"""The processed store's contract: the Manifest dataclass is exactly the manifest.json ingestion writes."""

import json

import pandas as pd
import pytest

from pipeline import config, ingest, schema
from pipeline.ingest.store import (
    DeliveredFile,
    Manifest,
    MunicipalityDelivery,
    empty_table,
    fingerprint,
    folder_fingerprint,
    load_manifest,
    load_processed,
    sha256,
    write_processed,
)
from tests.factories import FORMATS, Delivery

FLEET = "vehicle_id,vehicle_class,propulsion,in_service_since\nBA-1,personbil,el,2021-03-01\n"


@pytest.fixture
def raw(tmp_path):
    root = tmp_path / "data" / "raw"
    (root / "2024" / "151").mkdir(parents=True)
    (root / "2024" / "741").mkdir(parents=True)
    (root / "2024" / "151" / "buildings.csv").write_bytes((FORMATS / "buildings_plain.csv").read_bytes())
    (root / "2024" / "151" / "fleet.csv").write_text(FLEET, encoding="utf-8")
    (root / "2024" / "741" / "buildings.xlsx").write_bytes((FORMATS / "buildings.xlsx").read_bytes())
    return root


def written(processed, year=2024) -> dict:
    return json.loads(config.YearPaths(year, processed_root=processed).manifest.read_text(encoding="utf-8"))


def test_manifest_json_has_the_documented_shape(raw, tmp_path):
    processed = tmp_path / "data" / "processed"
    result = ingest.run(2024, raw, processed)
    names = ("151/buildings.csv", "151/fleet.csv", "741/buildings.xlsx")
    digest = {p: sha256(raw / "2024" / p) for p in names}
    shown = {p: (raw / "2024" / p).as_posix() for p in names}  # outside the project: as given
    document = written(processed)
    assert list(document) == ["year", "generated_by", "municipalities", "fingerprint", "inputs"]
    assert document == {
        "year": 2024,
        "generated_by": result.manifest.generated_by,
        "municipalities": {
            "151": {"datasets": {
                "buildings": {"file": shown["151/buildings.csv"],
                              "sha256": digest["151/buildings.csv"], "rows": 5},
                "fleet": {"file": shown["151/fleet.csv"], "sha256": digest["151/fleet.csv"],
                          "rows": 1}},
                "missing": ["construction_projects", "waste", "actions"]},
            "741": {"datasets": {
                "buildings": {"file": shown["741/buildings.xlsx"],
                              "sha256": digest["741/buildings.xlsx"], "rows": 5}},
                "missing": ["construction_projects", "fleet", "waste", "actions"]},
        },
        "fingerprint": fingerprint(2024, raw),
        "inputs": {code: folder_fingerprint(raw / "2024" / code, (raw / "2024" / code).as_posix())
                   for code in ("151", "741")},
    }
    assert result.manifest.generated_by.startswith("pipeline ")


def test_round_trip_equals_the_json_ingestion_writes(raw, tmp_path):
    processed = tmp_path / "data" / "processed"
    result = ingest.run(2024, raw, processed)
    document = written(processed)
    assert result.manifest.to_dict() == document
    assert Manifest.from_dict(document) == result.manifest
    assert Manifest.from_dict(document).to_dict() == document
    loaded = load_manifest(2024, processed)
    assert loaded == result.manifest and isinstance(loaded, Manifest)
    assert sorted(loaded.municipalities) == [151, 741], "codes are ints in the dataclass"
    fleet = raw / "2024" / "151" / "fleet.csv"
    assert loaded.files(151)["fleet"] == DeliveredFile(fleet.as_posix(), sha256(fleet), 1)


def test_blocked_municipalities_round_trip(raw, tmp_path):
    processed = tmp_path / "data" / "processed"
    (raw / "2024" / "151" / "waste.csv").write_text("fraction,treatment,tonnes\nplast,genanvendelse,tolv\n")
    result = ingest.run(2024, raw, processed, strict=False)
    document = written(processed)
    assert list(document) == ["year", "generated_by", "municipalities", "blocked", "fingerprint", "inputs"]
    assert list(document["blocked"]) == ["151"] and "151" not in document["municipalities"]
    assert list(document["inputs"]) == ["741"], "a blocked municipality is never reused: it is read again"
    assert "række 2, kolonne 'tonnes'" in document["blocked"]["151"][0]
    loaded = load_manifest(2024, processed)
    assert loaded == result.manifest and loaded.blocked == {151: document["blocked"]["151"]}
    assert loaded.to_dict() == document


def test_to_dict_leaves_out_empty_blocked_and_unset_fingerprint():
    manifest = Manifest(2024, generated_by="tests")
    manifest.municipalities[151] = MunicipalityDelivery(
        {"fleet": DeliveredFile("data/raw/2024/151/fleet.csv", "a" * 64, 3)},
        [d for d in schema.DATASET_NAMES if d != "fleet"])
    document = manifest.to_dict()
    assert list(document) == ["year", "generated_by", "municipalities"]
    assert Manifest.from_dict(json.loads(json.dumps(document))) == manifest


def test_delivered_and_files_by_code():
    manifest = Delivery().add(151, {"actions": [], "buildings": []}).manifest
    assert manifest.delivered(151) == ["buildings", "actions"], "in schema order"
    assert manifest.delivered("151") == manifest.delivered(151)
    assert manifest.delivered(999) == [] and manifest.files(999) == {}
    files = manifest.files(151)
    assert set(files) == {"buildings", "actions"} and files["actions"].rows == 0
    files.pop("actions")
    assert "actions" in manifest.files(151), "files() must return a copy"


def test_delivery_factory_manifest_is_what_the_store_writes(tmp_path):
    delivery = Delivery().add(151, {"waste": [("papir", "genanvendelse", 12.5)]})
    write_processed(2024, delivery.tables, delivery.manifest, tmp_path)
    assert load_manifest(2024, tmp_path) == delivery.manifest
    assert written(tmp_path)["municipalities"]["151"]["datasets"]["waste"]["rows"] == 1


def test_load_manifest_of_a_year_never_ingested_is_none(tmp_path):
    assert load_manifest(2024, tmp_path) is None


def test_missing_tables_load_as_empty_typed_tables(raw, tmp_path):
    processed = tmp_path / "data" / "processed"
    ingest.run(2024, raw, processed)
    paths = config.YearPaths(2024, processed_root=processed)
    paths.table("waste").unlink()
    tables = load_processed(2024, processed)
    assert set(tables) == set(schema.DATASET_NAMES) and tables["waste"].empty
    pd.testing.assert_frame_equal(tables["waste"], empty_table(schema.DATASETS["waste"]))
    assert list(tables["waste"].columns) == schema.DATASETS["waste"].column_names + schema.PROVENANCE
    assert tables["waste"]["tonnes"].dtype == "float64"
    assert tables["waste"]["source_row"].dtype == "int64"


def test_fingerprint_follows_the_raw_files(raw):
    before = fingerprint(2024, raw)
    assert fingerprint(2024, raw) == before
    (raw / "2024" / "151" / "fleet.csv").write_text(FLEET + "BA-2,varebil,el,2022-01-01\n")
    assert fingerprint(2024, raw) != before


def test_an_unchanged_municipality_keeps_its_rows_and_the_result_equals_a_full_read(raw, tmp_path, caplog):
    """Only a changed folder is read again; the tables and the manifest are exactly those of a full read."""
    processed = tmp_path / "data" / "processed"
    ingest.run(2024, raw, processed)
    (raw / "2024" / "151" / "fleet.csv").write_text(FLEET + "BA-2,varebil,diesel,2019-05-01\n", encoding="utf-8")
    caplog.set_level("INFO", logger="pipeline.ingest")
    again = ingest.run(2024, raw, processed)
    assert "1 municipality folders read, the other 1 unchanged" in caplog.text
    full = ingest.run(2024, raw, tmp_path / "fresh")
    assert again.manifest.to_dict() == full.manifest.to_dict()
    for name in full.tables:
        pd.testing.assert_frame_equal(again.tables[name], full.tables[name])
        pd.testing.assert_frame_equal(load_processed(2024, processed)[name], load_processed(2024, tmp_path / "fresh")[name])
    assert len(again.tables["fleet"]) == 2


def test_a_code_change_reads_every_folder_again(raw, tmp_path, caplog, monkeypatch):
    import pipeline

    processed = tmp_path / "data" / "processed"
    ingest.run(2024, raw, processed)
    monkeypatch.setattr(pipeline, "__version__", "99.0")
    caplog.set_level("INFO", logger="pipeline.ingest")
    ingest.run(2024, raw, processed)
    assert "2 municipality folders read, the other 0 unchanged" in caplog.text


def test_a_blocked_municipality_is_read_again_with_every_problem(raw, tmp_path):
    processed = tmp_path / "data" / "processed"
    bad = "vehicle_id,vehicle_class,propulsion,in_service_since\n" + "".join(
        f"BA-{i},personbil,el,ikke-en-dato\n" for i in range(30))
    (raw / "2024" / "151" / "fleet.csv").write_text(bad, encoding="utf-8")
    first = ingest.run(2024, raw, processed, strict=False)
    second = ingest.run(2024, raw, processed, strict=False)
    assert 151 in second.blocked and len(second.problems[151]) == len(first.problems[151]) == 30
