"""The national benchmark's data set (sample deliveries copied to the first N registry codes) and its
`name: value` output. The benchmark itself is never run here: it is a benchmark, not a timed test."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
import yaml

from pipeline import config
from tools import bench_national, national_data

RAW = config.RAW
N = 3


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    root = tmp_path_factory.mktemp("national")
    mapping = national_data.build(root, N)
    return root, mapping


def _ids(path, column: str) -> list[str]:
    if path.suffix == ".xlsx":
        df = pd.read_excel(path, sheet_name=0, dtype=str)
    else:
        data = path.read_bytes()
        sep = ";" if data.splitlines()[0].count(b";") else ","
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp1252"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = data.decode("utf-8")
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str)
    return df[column].dropna().tolist()


def test_the_first_n_registry_codes_get_the_samples_in_turn(national):
    root, mapping = national
    samples = national_data.sample_codes(RAW)
    assert list(mapping) == ["101", "147", "151"]
    assert list(mapping.values()) == samples[:N]
    years = national_data.sample_years(RAW)
    assert years
    for year in years:
        assert sorted(p.name for p in (root / "data" / "raw" / year).iterdir()) == list(mapping)
    assert sorted(p.name for p in (root / "data" / "raw" / "targets").iterdir()) == [f"{c}.yaml" for c in mapping]
    assert (RAW / "2024" / "101").exists() is False  # data/raw itself is untouched


def test_targets_name_their_new_municipality(national):
    root, mapping = national
    for dst, src in mapping.items():
        copied = yaml.safe_load((root / "data" / "raw" / "targets" / f"{dst}.yaml").read_text(encoding="utf-8"))
        original = yaml.safe_load((RAW / "targets" / f"{src}.yaml").read_text(encoding="utf-8"))
        assert copied["municipality_code"] == int(dst)
        assert copied["targets"] == original["targets"]


def test_building_ids_carry_the_new_code_and_stay_unique(national):
    root, mapping = national
    seen: set[str] = set()
    for dst, src in mapping.items():
        path = next((root / "data" / "raw" / "2024" / dst).glob("buildings.*"))
        ids = _ids(path, "building_id")
        original = _ids(next((RAW / "2024" / src).glob("buildings.*")), "building_id")
        assert ids == [dst + i[len(src):] for i in original]
        assert all(i.startswith(f"{dst}-") for i in ids) and len(set(ids)) == len(ids)
        assert not seen & set(ids)
        seen |= set(ids)
        projects = root / "data" / "raw" / "2024" / dst / "construction_projects.csv"
        if projects.exists():  # the projects refer to the municipality's own buildings
            assert set(_ids(projects, "building_id")) <= set(ids)


def test_a_file_without_ids_is_copied_byte_for_byte_and_formats_are_kept(national):
    root, mapping = national
    for dst, src in mapping.items():
        for original in (RAW / "2024" / src).iterdir():
            copy = root / "data" / "raw" / "2024" / dst / original.name
            assert copy.exists(), f"{original.name} of {src} not copied to {dst}"
            if original.name.startswith(("waste", "transport_energy", "fleet", "actions", "emissions")):
                assert copy.read_bytes() == original.read_bytes(), copy
            elif copy.suffix == ".csv":  # rewritten ids only: same length, encoding, separators, line ends
                assert len(copy.read_bytes()) == len(original.read_bytes()), copy


def test_xlsx_ids_are_rewritten_in_the_workbook(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["building_id", "name"])
    wb.active.append(["766-B0001", "Hornsyld Materielgård"])
    out = io.BytesIO()
    wb.save(out)
    rewritten = national_data.rewrite_xlsx_ids(out.getvalue(), "766", "101")
    rows = list(openpyxl.load_workbook(io.BytesIO(rewritten)).active.iter_rows(values_only=True))
    assert rows == [("building_id", "name"), ("101-B0001", "Hornsyld Materielgård")]
    plain = io.BytesIO()
    openpyxl.Workbook().save(plain)
    assert national_data.rewrite_xlsx_ids(plain.getvalue(), "766", "101") == plain.getvalue()


def test_csv_ids_are_rewritten_only_where_a_field_starts_with_the_code():
    data = b"building_id;name;when\r\n151-B0001;Hus 151-B;12-151-2024\r\n\"151-B0002\";x;151\r\n"
    assert national_data.rewrite_text_ids(data, "151", "101") == \
        b"building_id;name;when\r\n101-B0001;Hus 151-B;12-151-2024\r\n\"101-B0002\";x;151\r\n"


def test_a_json_code_field_is_rewritten_if_present():
    assert national_data.rewrite_json_code(b'{"kommunekode": 151, "v": 151}', "151", "101") == \
        b'{"kommunekode": 101, "v": 151}'
    assert national_data.rewrite_json_code(b'{"data": []}', "151", "101") == b'{"data": []}'


def test_output_is_one_name_value_line_per_figure():
    lines = bench_national.format_lines({"municipalities": 98, "floor_median_s": 44.123, "ratio_p_over_f": 1.3678,
                                         "stage_render_median_s": None, "rerun_one_file_changed": "a -> b"})
    assert lines == ["municipalities: 98", "floor_median_s: 44.1", "ratio_p_over_f: 1.37",
                     "rerun_one_file_changed: a -> b"]
    for line in lines:
        name, _, value = line.partition(": ")
        assert name.isidentifier() and value


def test_the_ratio_is_the_median_of_the_per_pair_ratios():
    # pairs: 60/40 = 1.5, 90/45 = 2.0, 50/50 = 1.0 -> median 1.5 (the ratio of medians would be 60/45)
    assert bench_national.ratio_median([60.0, 90.0, 50.0], [40.0, 45.0, 50.0]) == pytest.approx(1.5)
    with pytest.raises(ValueError):
        bench_national.ratio_median([1.0], [1.0, 2.0])


def test_the_stage_split_reads_the_run_log():
    lines = [
        "2026-12-03 12:00:00,000 INFO    pipeline.cli: green-accounts-pipeline 1.0: report year=2024",
        "2026-12-03 12:00:05,500 INFO    pipeline.publish.generation: building the 2024 publication in x",
        "2026-12-03 12:00:10,000 INFO    pipeline.validate.summary: validation results written: 6 files in x",
        "2026-12-03 12:00:10,500 INFO    pipeline.validate.pages: auditor's validation pages written: 7 pages",
        "2026-12-03 12:00:11,500 INFO    pipeline.account.kpi_table: KPI table x: 6 municipalities, 10 rows",
        "2026-12-03 12:00:20,000 DEBUG   pipeline.account.notebook: rendered 151 in 5.0 s (ok=True)",
        "2026-12-03 12:00:31,500 DEBUG   pipeline.account.notebook: rendered 665 in 5.0 s (ok=True)",
        "2026-12-03 12:00:33,000 INFO    pipeline.publish.overview: wrote overview for 2024: 6 municipalities",
        "2026-12-03 12:00:33,500 INFO    pipeline.publish.generation: published 2024: x is now y",
    ]
    log = "\n".join(lines)
    assert bench_national.stage_split(log) == {"ingest": 5.5, "validate": 5.0, "kpi_table": 1.0,
                                               "render": 20.0, "overview": 2.0}
    assert bench_national.stage_split("no timestamps here") == {}


def test_one_fleet_value_changes(national, tmp_path):
    root, mapping = national
    code = next(iter(mapping))
    fleet = root / "data" / "raw" / "2024" / code / "fleet.csv"
    before = fleet.read_bytes()
    try:
        what = bench_national.change_one_fleet_value(root, 2024, code)
        after = fleet.read_bytes()
        assert "propulsion" in what and after != before
        assert len(after.splitlines()) == len(before.splitlines())
        assert sum(a != b for a, b in zip(after.splitlines(), before.splitlines(), strict=True)) == 1
    finally:
        fleet.write_bytes(before)


@pytest.mark.parametrize("args", [["--pairs", "0"], ["--municipalities", "99"], ["--workers", "x"],
                                  ["--year", "24;x"]])
def test_bad_parameters_are_refused(args, capsys):
    with pytest.raises(SystemExit) as exc:
        bench_national.main(args)
    assert exc.value.code == 2
