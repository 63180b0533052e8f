"""`make verify`: every recorded input checksum recomputed; a changed byte in a delivery or a targets file
names the pages that no longer match; nothing is reported when nothing changed."""

from __future__ import annotations

import io
import json

import pytest

from pipeline import verify
from pipeline.errors import ParameterError
from tests.factories import YEAR, year_paths
from tests.unit import traceability
from tests.unit.traceability import BALLERUP


@pytest.fixture
def project(tmp_path):
    project = traceability.build(tmp_path)
    traceability.validate_and_write(project)
    traceability.publish(project)
    return project


def run_main(project) -> tuple[int, str]:
    out = io.StringIO()
    code = verify.main(project["paths"], project["root"], stream=out)
    return code, out.getvalue()


def flip_one_byte(path):
    data = bytearray(path.read_bytes())
    data[-2] = ord("9") if data[-2] != ord("9") else ord("8")
    path.write_bytes(bytes(data))


def test_nothing_changed_reports_nothing(project):
    result = verify.verify(project["paths"], project["root"])
    assert result.ok and result.lines == [] and result.mismatches == []
    assert result.pages == ["151-ballerup.html"] and result.validations == ["validation/151-ballerup.html"]
    # page: 2 years × 2 deliveries, targets, registry; validation: 2 this year, 2 compared with, 2 suites,
    # and the targets file (targets_file_valid)
    assert result.inputs_checked == 6 + 7
    code, text = run_main(project)
    assert code == 0 and "Alle sider passer til deres inddata." in text
    assert "1 udgivne sider og 1 valideringer" in text


def test_a_changed_delivery_file_is_found(project):
    fleet = project["root"] / f"data/raw/{YEAR}/151/fleet.csv"
    flip_one_byte(fleet)
    result = verify.verify(project["paths"], project["root"])
    assert not result.ok
    assert result.changed_pages == ["151-ballerup.html", "validation/151-ballerup.html"]
    page_line, validation_line = result.lines
    assert page_line.startswith(f"151-ballerup.html: data/raw/{YEAR}/151/fleet.csv er ændret siden udgivelsen (")
    assert validation_line.startswith(f"validation/151-ballerup.html: data/raw/{YEAR}/151/fleet.csv "
                                      "er ændret siden valideringen (")
    code, text = run_main(project)
    assert code == 1 and page_line in text and "ikke længere til deres inddata" in text


def test_a_changed_targets_file_is_found(project):
    flip_one_byte(project["targets_dir"] / "151.yaml")
    result = verify.verify(project["paths"], project["root"])
    page, validation = result.mismatches  # the page and the validation that checked the file
    assert (page.page, page.path, page.kind) == ("151-ballerup.html", "data/raw/targets/151.yaml", "mål")
    assert "data/raw/targets/151.yaml er ændret siden udgivelsen" in page.line
    assert (validation.page, validation.path) == ("validation/151-ballerup.html", "data/raw/targets/151.yaml")
    assert "data/raw/targets/151.yaml er ændret siden valideringen" in validation.line
    assert run_main(project)[0] == 1


def test_a_deleted_file_and_a_new_targets_file_are_found(project):
    (project["root"] / f"data/raw/{YEAR - 1}/151/waste.csv").unlink()
    result = verify.verify(project["paths"], project["root"])
    assert {m.page for m in result.mismatches} == {"151-ballerup.html", "validation/151-ballerup.html"}
    assert all("waste.csv findes ikke længere" in m.line for m in result.mismatches)

    again = traceability.build(project["root"] / "other")
    (again["targets_dir"] / "151.yaml").unlink()
    traceability.publish(again)
    (again["targets_dir"] / "151.yaml").write_text(traceability.TARGETS, encoding="utf-8")
    [new] = verify.verify(again["paths"], again["root"]).mismatches
    assert new.line == "151-ballerup.html: data/raw/targets/151.yaml findes nu, men fandtes ikke ved udgivelsen"


def test_a_page_without_a_record_cannot_be_verified(project):
    project["paths"].provenance_path(BALLERUP).unlink()
    result = verify.verify(project["paths"], project["root"])
    assert not result.ok and result.pages == []
    assert result.problems == [("151-ballerup.html: har ingen sporingsfil (provenance/151-ballerup.json), "
                                "så dens inddata kan ikke efterprøves")]
    assert run_main(project)[0] == 1


def test_a_summary_without_provenance_is_reported(project):
    path = project["paths"].validation_summary(BALLERUP)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["provenance"] = None
    path.write_text(json.dumps(document), encoding="utf-8")
    result = verify.verify(project["paths"], project["root"])
    assert [p.split(":")[0] for p in result.problems] == ["validation/151-ballerup.html"]


def test_nothing_published_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="make report YEAR=2024"):
        verify.main(year_paths(tmp_path), tmp_path, stream=io.StringIO())
