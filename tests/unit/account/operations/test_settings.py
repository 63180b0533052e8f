"""The targets file's `operations:` block: read into OperationsSettings, and every bad override named by
file, YAML line, key, value and what was expected (a bad block blocks the municipality: targets_file_valid)."""

import pytest

from pipeline.account import targets
from pipeline.account.operations import factor
from pipeline.account.targets import TargetsError
from pipeline.validate import targets_check
from pipeline.validate.outcomes import FAILED, PASSED

HEADER = "municipality_code: 151\nsource: Klimaplan\n"
GOOD = HEADER + """\
operations:
  reference_year: 2019
  factors:
    - {carrier: fjernvarme, year: 2024, value: 0.0785, unit: kg CO2e/kWh, source: "Fjernvarmeselskabets deklaration 2024"}
    - {carrier: biogas, year: 2024, value: 0.5, unit: kg CO2e/Nm³, source: "Leverandørens deklaration"}
  degree_days:
    - {year: 2024, value: 2650, source: "Fjernvarmeselskabets graddage"}
  normal_year_degree_days: 3112
  hot_water_share: 0.3
"""


def write(tmp_path, text):
    (tmp_path / "151.yaml").write_text(text, encoding="utf-8")


def test_a_good_block_is_read(tmp_path):
    write(tmp_path, GOOD)
    ops = targets.load_file(151, tmp_path).operations
    assert ops.reference_year == 2019 and ops.normal_year_degree_days == 3112 and ops.hot_water_share == 0.3
    own = ops.factor_override("fjernvarme", "kwh", 2024)
    assert (own.value, own.source, own.line) == (0.0785, "Fjernvarmeselskabets deklaration 2024", 6)
    assert ops.factor_override("biogas", "nm3", 2024).value == 0.5  # 'Nm³' as delivered
    assert ops.degree_day_override(2024).value == 2650
    assert factor("fjernvarme", "kwh", 2024, ops).value == 0.0785


def test_no_block_means_the_reference_data(tmp_path):
    write(tmp_path, HEADER)
    assert targets.load_file(151, tmp_path).operations is None


def problems(tmp_path, text):
    write(tmp_path, text)
    with pytest.raises(TargetsError) as err:
        targets.load_file(151, tmp_path)
    return err.value.problems


@pytest.mark.parametrize(("edit", "line", "key", "value", "says"), [
    pytest.param(("value: 0.0785", "value: 21.8"), 6, "operations.factors[0].value", 21.8,
                 "faktoren skal være et tal i kg CO2e pr. enhed", id="kg CO2e/GJ written as per kWh"),
    pytest.param(("carrier: fjernvarme", "carrier: fjernkøling"), 6, "operations.factors[0].carrier", "fjernkøling",
                 "ukendt energiart 'fjernkøling'", id="unknown carrier"),
    pytest.param(("unit: kg CO2e/kWh", "unit: kg CO2e/GJ"), 6, "operations.factors[0].unit", "kg CO2e/GJ",
                 "ukendt enhed", id="unknown unit"),
    pytest.param(("unit: kg CO2e/kWh", "unit: kg CO2e/l"), 6, "operations.factors[0].unit", "kg CO2e/l",
                 "fjernvarme indberettes ikke i liter", id="a unit the carrier is never delivered in"),
    pytest.param(('source: "Fjernvarmeselskabets deklaration 2024"', 'source: ""'), 6,
                 "operations.factors[0].source", "", "faktoren skal have en kilde", id="no source"),
    pytest.param(("year: 2024, value: 0.0785", "year: 24, value: 0.0785"), 6, "operations.factors[0].year", 24,
                 "årstallet skal være et helt år", id="a year that is not a year"),
    pytest.param(("reference_year: 2019", "reference_year: sidste år"), 4, "operations.reference_year",
                 "sidste år", "'reference_year' skal være et helt år", id="reference year as text"),
    pytest.param(("hot_water_share: 0.3", "hot_water_share: 25"), 11, "operations.hot_water_share", 25,
                 "'hot_water_share' skal være en andel", id="hot-water share in %"),
    pytest.param(("  normal_year_degree_days: 3112\n", "  normal_degree_days: 3112\n"), 10,
                 "operations.normal_degree_days", None, "ukendt nøgle 'normal_degree_days'", id="unknown key"),
])
def test_a_bad_override_names_file_line_key_and_value(tmp_path, edit, line, key, value, says):
    assert edit[0] in GOOD
    [problem] = problems(tmp_path, GOOD.replace(edit[0], edit[1], 1))
    assert (problem.row, problem.column, problem.value) == (line, key, value)
    assert says in problem.message and problem.expected
    assert str(problem).startswith(f"{tmp_path / '151.yaml'}, linje {line}, nøgle '{key}'")


def test_the_same_override_twice_is_refused(tmp_path):
    twice = GOOD.replace("  degree_days:", "    - {carrier: fjernvarme, year: 2024, value: 0.08, unit: kg CO2e/kWh, "
                                           "source: x}\n  degree_days:")
    [problem] = problems(tmp_path, twice)
    assert (problem.row, problem.column) == (8, "operations.factors[2].year")
    assert "står flere gange" in problem.message


def test_a_bad_block_blocks_the_municipality(tmp_path):
    write(tmp_path, GOOD)
    [rule], failures = targets_check.check(151, tmp_path)
    assert failures == []
    assert rule["outcome"] == PASSED and "indstillinger for kommunen som virksomhed" in rule["observed"]
    write(tmp_path, GOOD.replace("value: 0.0785", "value: -1"))
    [rule], [failure] = targets_check.check(151, tmp_path)
    assert (rule["outcome"], rule["severity"]) == (FAILED, "critical")
    assert (failure["row"], failure["column"], failure["value"]) == (6, "operations.factors[0].value", "-1")
    assert "151.yaml, linje 6, nøgle 'operations.factors[0].value'" in failure["message"]


def test_targets_for_the_new_units(tmp_path):
    """A target in kWh/m² may exceed 100; own effort may be negative; heat may not."""
    write(tmp_path, HEADER + "targets:\n  heat_kwh_per_m2:\n    target: {year: 2030, value: 110}\n"
                    "  operations_own_effort_t_co2e:\n    target: {year: 2030, value: -500}\n")
    found = targets.load(151, tmp_path)
    assert found["heat_kwh_per_m2"].target_value == 110 and found["operations_own_effort_t_co2e"].target_value == -500
    [problem] = problems(tmp_path, HEADER + "targets:\n  water_m3:\n    target: {year: 2030, value: -5}\n")
    assert problem.column == "targets.water_m3.target.value" and problem.expected == "et tal ≥ 0 i m³"
