"""The dataset emissions in both delivery forms: a saved Energi- og CO2-regnskabet API response and a plain
table; the two traps of the API (two 'Samlet' totals, VE-el as a ratio); editions and provenance."""

from __future__ import annotations

import hashlib
import json
import shutil

import openpyxl
import pandas as pd
import pytest

from pipeline import ingest, schema
from pipeline.errors import DeliveryError
from pipeline.ingest import emissions, totals
from pipeline.ingest.store import DeliveredFile, Manifest

FIXTURES = __import__("tests.factories", fromlist=["ROOT"]).ROOT / "tests" / "fixtures" / "emissions"
API = FIXTURES / "api_response_samlet_twice_and_ve_ratio.json"
MED, UDEN, UAFKLARET = "samlet_med_landbrug", "samlet_uden_landbrug", "samlet_uafklaret"

# Ballerup's consultant-style table: semicolon, decimal comma, Windows-1252, per inhabitant filled in
TABLE_CP1252 = (
    "year;sector;t_co2e;t_co2e_per_inhabitant\r\n"
    "2021;Energi;120.400,5;2,315\r\n"
    "2021;Kemiske processer;3.600;\r\n"
    "2021;Samlet med landbrug;124.000,5;2,384\r\n"
    "2022;Energi;110.000;2,095\r\n"
)


@pytest.fixture
def raw(tmp_path):
    (tmp_path / "raw" / "2024" / "151").mkdir(parents=True)
    return tmp_path / "raw"


def _api(raw, year=2022, code=151, edition=2024, source=API) -> None:
    folder = raw / str(edition) / str(code)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / f"emissions_{year}.json")


def _write_api(raw, rows, year=2022, code=151, edition=2024) -> None:
    folder = raw / str(edition) / str(code)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"emissions_{year}.json").write_text(json.dumps({"data": rows}, ensure_ascii=False),
                                                   encoding="utf-8")


def _row(sektor, value, enhed="Ton CO2e", type_="Samlet CO2-udledning", **more):
    return {"sektor": sektor, "type": type_, "enhed": enhed, "værdi": value, "kategori": None,
            "undertype_3": None, **more}


def _emissions(raw, tmp_path, year=2024) -> pd.DataFrame:
    return ingest.ingest_year(year, raw, root=tmp_path).tables["emissions"]


# --- the API form ------------------------------------------------------------------------------


def test_api_response_gives_one_row_per_sector_and_unit_with_json_path_provenance(raw, tmp_path):
    _api(raw)
    table = _emissions(raw, tmp_path)
    assert len(table) == 24, "6 sectors + 2 totals in each of 3 units; the other key figures are not read"
    assert set(table["year"]) == {2024}, "year is the edition (the report year of the delivery)"
    assert set(table["data_year"]) == {2022}, "the data year comes from the file name"
    assert set(table["source_file"]) == {"raw/2024/151/emissions_2022.json"}
    energy = table[(table["sector"] == "energi") & (table["unit"] == "t_co2e")].iloc[0]
    assert energy["value"] == 110500.4 and energy["source_row"] == 0, "JSON path data[0]"
    chem = table[(table["sector"] == "kemiske_processer") & (table["unit"] == "t_co2e_per_km2")]
    assert chem["source_row"].tolist() == [20] and chem["value"].tolist() == [102.9]
    assert list(table.columns) == schema.DATASETS["emissions"].column_names + schema.PROVENANCE
    assert str(table["data_year"].dtype) == "Int64" and table["source_row"].dtype == "int64"


def test_trap_two_samlet_rows_are_both_kept_and_labelled_by_the_sector_sums(raw, tmp_path):
    """The fixture has, per unit, two 'Samlet' rows that differ only in value (in varying order):
    163.003,5 t = the six sectors; 162.391,2 t = the sectors less Landbrug (612,3 t)."""
    _api(raw)
    table = _emissions(raw, tmp_path)
    totals_ = table[table["sector"].isin([MED, UDEN, UAFKLARET])]
    shown = {(r.unit, r.sector): (r.value, r.source_row) for r in totals_.itertuples()}
    assert shown == {
        ("t_co2e", UDEN): (162391.2, 6), ("t_co2e", MED): (163003.5, 7),  # without first
        ("t_co2e_per_inhabitant", MED): (3.105, 14), ("t_co2e_per_inhabitant", UDEN): (3.093, 15),
        ("t_co2e_per_km2", UDEN): (4776.2, 22), ("t_co2e_per_km2", MED): (4794.2, 23),
    }


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_the_labels_do_not_depend_on_the_order_or_size_of_the_two_rows(order):
    sectors = {"energi": 100.0, "transport": 50.0, "landbrug": -20.0}  # a carbon sink: 'with' is smaller
    rows = [(130.0, None), (150.0, None)]
    labels = totals.label_totals([rows[i] for i in order], sectors)
    assert dict(zip([rows[i][0] for i in order], labels, strict=True)) == {130.0: MED, 150.0: UDEN}


def test_a_total_matching_neither_sum_is_unresolved_and_the_other_keeps_its_label():
    sectors = {"energi": 100.0, "transport": 50.0, "landbrug": 30.0}
    assert totals.label_totals([(180.0, None), (400.0, None)], sectors) == [MED, UAFKLARET]
    assert totals.label_totals([(180.4, None), (150.3, None)], sectors) == [MED, UDEN]  # within 0.5 %


def test_without_agriculture_the_two_totals_cannot_be_told_apart():
    sectors = {"energi": 100.0, "transport": 50.0, "landbrug": 0.05}
    assert totals.label_totals([(150.05, None), (150.0, None)], sectors) == [UAFKLARET, UAFKLARET]


def test_the_same_label_twice_is_no_label():
    sectors = {"energi": 100.0, "landbrug": 30.0}
    assert totals.label_totals([(130.0, None), (130.0, None)], sectors) == [UAFKLARET, UAFKLARET]


def test_a_text_naming_the_scope_decides_before_the_sums():
    assert totals.scope_hint({"kategori": "I alt ekskl. landbrug"}) == UDEN
    assert totals.scope_hint({"undertype_3": "Inkl. landbrug"}) == MED
    assert totals.scope_hint({"kategori": None, "undertype_3": "Husholdninger"}) is None
    sectors = {"energi": 100.0, "landbrug": 30.0}  # with agriculture 130, without 100
    hint = totals.scope_hint({"kategori": "uden landbrug"})
    assert totals.label_totals([(130.0, None), (100.0, hint)], sectors) == [MED, UDEN]
    # a text that contradicts the sums gives the same label twice: neither row gets it
    wrong = totals.scope_hint({"kategori": "med landbrug"})
    assert totals.label_totals([(130.0, None), (100.0, wrong)], sectors) == [UAFKLARET, UAFKLARET]


def test_trap_ve_el_ratio_under_a_percent_unit_is_not_read_as_an_emission(raw, tmp_path):
    """`VE-el selvforsyningsgrad` has sektor 'Samlet' and unit '%', but the value is a ratio (1.71 =
    171 %). It is not an emission: it must neither become a third 'Samlet' row nor a value anywhere."""
    document = json.loads(API.read_text(encoding="utf-8"))
    [ve] = [r for r in document["data"] if r["type"].startswith("VE-el")]
    assert (ve["sektor"], ve["enhed"], ve["værdi"]) == ("Samlet", "%", 1.71)
    _api(raw)
    table = _emissions(raw, tmp_path)
    assert not table["value"].isin([1.71, 171.0]).any()
    assert set(table["unit"]) == set(schema.EMISSION_UNITS)
    assert (table["sector"] == UAFKLARET).sum() == 0 and len(table[table["sector"] == MED]) == 3


def test_api_problems_name_file_json_path_value_and_expected(raw, tmp_path):
    _write_api(raw, [_row("Energi", 10.0), _row("Transport", "mange"), _row("Samlet", 10.0, "kt CO2e")])
    with pytest.raises(DeliveryError) as err:
        _emissions(raw, tmp_path)
    text = str(err.value)
    assert ("raw/2024/151/emissions_2022.json, data[1]: feltet 'værdi' kan ikke læses som tal "
            "(værdi: 'mange'); forventet: et tal, fx 1234.5") in text
    assert "data[2]: ukendt enhed for 'Samlet CO2-udledning' i feltet 'enhed' (værdi: 'kt CO2e')" in text


@pytest.mark.parametrize("content, message", [
    ("<html>Fejl</html>", "filen kan ikke læses som JSON"),
    ('{"rows": []}', "filen har ingen liste 'data'"),
])
def test_a_response_that_is_not_the_api_shape_is_refused(raw, tmp_path, content, message):
    (raw / "2024" / "151" / "emissions_2021.json").write_text(content, encoding="utf-8")
    with pytest.raises(DeliveryError, match=message):
        _emissions(raw, tmp_path)


def test_a_missing_value_stays_missing_never_zero(raw, tmp_path):
    _write_api(raw, [_row("Energi", None), _row("Transport", 5.5)])
    table = _emissions(raw, tmp_path)
    assert table["value"].isna().tolist() == [True, False]


# --- the table form ----------------------------------------------------------------------------


def test_table_in_danish_csv_becomes_one_row_per_value_cell(raw, tmp_path):
    (raw / "2024" / "151" / "emissions.csv").write_bytes(TABLE_CP1252.encode("cp1252"))
    table = _emissions(raw, tmp_path)
    got = [(r.data_year, r.sector, r.unit, r.value, r.source_row) for r in table.itertuples()]
    assert got == [
        (2021, "energi", "t_co2e", 120400.5, 2), (2021, "energi", "t_co2e_per_inhabitant", 2.315, 2),
        (2021, "kemiske_processer", "t_co2e", 3600.0, 3),
        (2021, MED, "t_co2e", 124000.5, 4), (2021, MED, "t_co2e_per_inhabitant", 2.384, 4),
        (2022, "energi", "t_co2e", 110000.0, 5), (2022, "energi", "t_co2e_per_inhabitant", 2.095, 5),
    ]
    assert set(table["source_file"]) == {"raw/2024/151/emissions.csv"} and set(table["year"]) == {2024}


def test_table_in_xlsx_without_the_per_inhabitant_column(raw, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [("Year", "Sector", "t_CO2e"), (2020, "Landbrug", -1200.5), (2020, "samlet_med_landbrug", -1200.5)]:
        ws.append(row)
    wb.save(raw / "2024" / "151" / "emissions.xlsx")
    table = _emissions(raw, tmp_path)
    assert table[["data_year", "sector", "unit", "value", "source_row"]].values.tolist() == [
        [2020, "landbrug", "t_co2e", -1200.5, 2], [2020, MED, "t_co2e", -1200.5, 3]]


def test_table_missing_a_column_names_file_and_expected_columns(raw, tmp_path):
    (raw / "2024" / "151" / "emissions.csv").write_text("year,sector\n2021,energi\n", encoding="utf-8")
    with pytest.raises(DeliveryError, match="kolonnen 't_co2e' mangler"):
        _emissions(raw, tmp_path)


def test_both_forms_in_one_edition_are_refused(raw, tmp_path):
    _api(raw)
    (raw / "2024" / "151" / "emissions.csv").write_text("year,sector,t_co2e\n2021,energi,1\n",
                                                         encoding="utf-8")
    with pytest.raises(DeliveryError, match="leveret i to former"):
        _emissions(raw, tmp_path)


def test_a_response_without_data_year_in_its_name_is_refused_with_a_hint(raw, tmp_path):
    shutil.copy(API, raw / "2024" / "151" / "emissions.json")
    with pytest.raises(DeliveryError, match="skal hedde emissions_<dataår>.json"):
        _emissions(raw, tmp_path)


# --- editions and provenance -------------------------------------------------------------------


def test_each_edition_is_kept_as_delivered_with_its_own_year(raw, tmp_path):
    """The 2023 edition has 2021 as first published; the 2024 edition restates it. Both are kept."""
    for edition, value in ((2023, 312400.0), (2024, 305100.0)):
        rows = [_row("Energi", value), _row("Samlet", value)]
        for year in (2020, 2021):
            _write_api(raw, rows, year=year, edition=edition)
    by_edition = {e: _emissions(raw, tmp_path, e) for e in (2023, 2024)}
    for edition, table in by_edition.items():
        assert set(table["year"]) == {edition} and set(table["data_year"]) == {2020, 2021}
    energy = {e: t.loc[(t["data_year"] == 2021) & (t["sector"] == "energi"), "value"].item()
              for e, t in by_edition.items()}
    assert energy == {2023: 312400.0, 2024: 305100.0}


def test_manifest_lists_each_response_as_a_part(raw, tmp_path):
    _api(raw, 2021)
    _api(raw, 2022)
    manifest = ingest.ingest_year(2024, raw, root=tmp_path).manifest
    delivered = manifest.files(151)["emissions"]
    assert delivered.file == "raw/2024/151/emissions_*.json" and delivered.rows == 48
    assert [p.file for p in delivered.parts] == ["raw/2024/151/emissions_2021.json",
                                                  "raw/2024/151/emissions_2022.json"]
    assert delivered.parts[0].sha256 == hashlib.sha256(API.read_bytes()).hexdigest()
    assert Manifest.from_dict(json.loads(json.dumps(manifest.to_dict()))) == manifest
    assert manifest.municipalities[151].missing == schema.REQUIRED_DATASETS, "emissions is optional"


def test_an_edition_without_emissions_lists_it_nowhere(raw, tmp_path):
    (raw / "2024" / "151" / "waste.csv").write_text("fraction,treatment,tonnes\npapir,genanvendelse,1\n",
                                                     encoding="utf-8")
    result = ingest.ingest_year(2024, raw, root=tmp_path)
    assert "emissions" not in result.manifest.municipalities[151].missing
    assert result.tables["emissions"].empty
    assert list(result.tables["emissions"].columns) == schema.DATASETS["emissions"].column_names + schema.PROVENANCE


# --- the fetch record beside the responses -----------------------------------------------------


def _record(raw, **change) -> None:
    folder = raw / "2024" / "151"
    entry = {"file": "emissions_2022.json", "params": {"municipality": 151, "year": 2022, "type": "Nøgletal"},
             "sha256": hashlib.sha256((folder / "emissions_2022.json").read_bytes()).hexdigest()}
    entry.update(change)
    (folder / emissions.FETCH_RECORD).write_text(json.dumps({"requests": [entry]}), encoding="utf-8")


def test_a_matching_fetch_record_is_accepted_and_listed(raw, tmp_path):
    _api(raw)
    _record(raw)
    delivered = ingest.ingest_year(2024, raw, root=tmp_path).manifest.files(151)["emissions"]
    assert [p.file.rsplit("/", 1)[1] for p in delivered.parts] == ["emissions_2022.json", "emissions_fetch.json"]


@pytest.mark.parametrize("change, message", [
    ({"sha256": "0" * 64}, "filen er ændret, siden den blev hentet"),
    ({"params": {"municipality": 151, "year": 2021}}, "filnavnet passer ikke til hentningens parametre"),
    ({"file": "emissions_2019.json"}, "emissions_2019.json står i hentningsloggen, men filen mangler"),
])
def test_a_fetch_record_that_does_not_match_the_files_is_a_problem(raw, tmp_path, change, message):
    _api(raw)
    _record(raw, **change)
    with pytest.raises(DeliveryError, match=message):
        _emissions(raw, tmp_path)


def test_delivered_file_round_trips_with_and_without_parts():
    plain = DeliveredFile("a.csv", "1" * 64, 3)
    assert plain.to_dict() == {"file": "a.csv", "sha256": "1" * 64, "rows": 3}
    nested = DeliveredFile("x_*.json", "2" * 64, 5, (plain,))
    assert DeliveredFile.from_dict(nested.to_dict()) == nested
