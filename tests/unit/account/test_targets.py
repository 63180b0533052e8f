"""Loading and checking data/raw/targets/<code>.yaml."""

import pytest

from pipeline.account import targets
from pipeline.account.kpis import KPI_IDS
from pipeline.account.targets import Target, TargetFile, TargetsError

GOOD = """\
municipality_code: 151
source: "Ballerup Kommunes klimahandlingsplan (DK2020)"
sample_data: true
targets:
  household_recycling_rate:
    baseline: {year: 2019, value: 48.0}
    target: {year: 2030, value: 60.0}
  zero_emission_share_passenger_cars:
    target: {year: 2030, value: 100}
  lca_projects_count:
    target: {year: 2030, value: 25}
    source: "Byggepolitikken 2022"
"""


def write(tmp_path, text, code=151):
    path = tmp_path / f"{code}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_means_no_targets(tmp_path):
    tf = targets.load_file(151, tmp_path)
    assert tf.targets == {} and tf.path is None and tf.sample_data is False
    assert not tf.is_sample
    assert targets.load(151, tmp_path) == {}


def test_good_file(tmp_path):
    write(tmp_path, GOOD)
    tf = targets.load_file(151, tmp_path)
    assert tf.sample_data is True and tf.is_sample
    assert tf.path == targets.path_for(151, tmp_path) == tmp_path / "151.yaml"
    assert tf.source.startswith("Ballerup")
    # ordered like KPI_IDS, whatever the order in the file
    assert list(tf.targets) == [
        "lca_projects_count",
        "zero_emission_share_passenger_cars",
        "household_recycling_rate",
    ]
    assert list(tf.targets) == [k for k in KPI_IDS if k in tf.targets]
    assert tf.get("household_recycling_rate") == Target(
        "household_recycling_rate",
        2019,
        48.0,
        2030,
        60.0,
        "Ballerup Kommunes klimahandlingsplan (DK2020)",
    )
    cars = tf.get("zero_emission_share_passenger_cars")
    assert cars.baseline_year is None and cars.baseline_value is None and not cars.has_baseline
    assert cars.target_value == 100.0 and isinstance(cars.target_value, float)
    assert tf.get("lca_projects_count").source == "Byggepolitikken 2022"
    assert tf.get("residual_waste_share") is None


def test_unknown_kpi_is_an_error(tmp_path):
    path = write(tmp_path, GOOD + "  recycling_rate:\n    target: {year: 2030, value: 60}\n")
    with pytest.raises(TargetsError) as err:
        targets.load_file(151, tmp_path)
    msg = str(err.value)
    assert str(path) in msg and "ukendt nøgletal (kpi_id) 'recycling_rate'" in msg
    assert "household_recycling_rate" in msg  # lists what is allowed


def test_bad_value_names_file_kpi_and_expectation(tmp_path):
    path = write(tmp_path, GOOD.replace("value: 60.0", "value: 160.0"))
    with pytest.raises(TargetsError) as err:
        targets.load_file(151, tmp_path)
    msg = str(err.value)
    assert str(path) in msg
    assert "household_recycling_rate" in msg
    assert "mellem 0 og 100" in msg and "160.0" in msg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "municipality_code: 151\nsource: x\ntargets:\n  residual_waste_share:\n    baseline: {year: 2019, value: 30}\n",
            "'target' mangler",
        ),
        (
            "municipality_code: 151\nsource: x\ntargets:\n  residual_waste_share:\n    target: {year: '20x0', value: 30}\n",
            "skal være et helt år",
        ),
        (
            "municipality_code: 151\nsource: x\ntargets:\n  residual_waste_share:\n    target: {year: 2030, value: lots}\n",
            "skal være et tal",
        ),
        (
            "municipality_code: 151\nsource: x\ntargets:\n  residual_waste_share:\n    baseline: {year: 2030, value: 30}\n    target: {year: 2030, value: 20}\n",
            "målåret skal ligge efter udgangsåret (baseline) 2030",
        ),
        (
            "municipality_code: 151\nsource: x\ntargets:\n  residual_waste_share:\n    traget: {year: 2030, value: 20}\n    target: {year: 2030, value: 20}\n",
            "ukendt nøgle 'traget'",
        ),
        (
            "municipality_code: 151\nsource: x\ntargets:\n  lca_projects_count:\n    target: {year: 2030, value: -1}\n",
            "antal ≥ 0",
        ),
        ("municipality_code: 147\nsource: x\ntargets: {}\n", "municipality_code er 147"),
        ("municipality_code: 151\ntargets: {}\n", "'source' skal angive"),
        (
            "municipality_code: 151\nsource: x\nsample_data: maybe\ntargets: {}\n",
            "'sample_data' skal være true eller false",
        ),
        ("- just\n- a list\n", "filen indeholder en liste, ikke nøgler og værdier; forventet: nøglerne"),
        ("", "filen er tom"),
        ("municipality_code: 151\nsource: [unclosed\n", "ikke gyldig YAML"),
    ],
)
def test_bad_files(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(TargetsError) as err:
        targets.load_file(151, tmp_path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_all_problems_are_listed_at_once(tmp_path):
    write(
        tmp_path,
        "municipality_code: 151\nsource: x\ntargets:\n"
        "  residual_waste_share:\n    target: {year: 2030, value: 120}\n"
        "  nope:\n    target: {year: 2030, value: 1}\n",
    )
    with pytest.raises(TargetsError, match="2 problemer i målfilen"):
        targets.load_file(151, tmp_path)


def test_empty_targets_mapping_is_fine(tmp_path):
    write(tmp_path, "municipality_code: 151\nsource: x\ntargets:\n")
    assert targets.load_file(151, tmp_path).targets == {}


@pytest.mark.parametrize(
    ("source", "flag", "is_sample"),
    [
        ("Klimaplan 2030", False, False),
        ("Klimaplan 2030", True, True),
        ("Klimaplan 2030 (EKSEMPELDATA)", False, True),
        ("Made-up Sample Data for the demo", False, True),
        ("", False, False),
    ],
)
def test_is_sample_by_flag_or_source_text(source, flag, is_sample):
    assert TargetFile(151, source=source, sample_data=flag).is_sample is is_sample


def test_count_kpis_come_from_the_metadata(tmp_path):
    assert targets.COUNT_KPIS == {"lca_projects_count"}
    # a count may exceed 100, a percentage may not
    write(tmp_path, "municipality_code: 151\nsource: x\ntargets:\n"
                    "  lca_projects_count:\n    target: {year: 2030, value: 250}\n")
    assert targets.load(151, tmp_path)["lca_projects_count"].target_value == 250.0


def test_codes_are_padded_to_three_digits(tmp_path):
    assert targets.path_for(61, tmp_path) == tmp_path / "061.yaml"
    write(tmp_path, "municipality_code: 61\nsource: x\ntargets: {}\n", code="061")
    assert targets.load_file(61, tmp_path).path == tmp_path / "061.yaml"


# --- every problem is structured: file, line, key, value and what was expected ----------------------

HEADER = "municipality_code: 151\nsource: Klimaplan\ntargets:\n"


def problems(tmp_path, text: str | bytes):
    path = tmp_path / "151.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(TargetsError) as err:
        targets.load_file(151, tmp_path)
    assert err.value.problems, "a TargetsError always carries its problems"
    assert all(p.file == str(path) for p in err.value.problems)
    return err.value.problems, str(err.value)


@pytest.mark.parametrize(("text", "line", "key", "value", "says"), [
    pytest.param(HEADER + "  residual_waste_share:\n    target: {year: 2030, value: [25\n",
                 5, None, None, "er ikke gyldig YAML", id="invalid YAML"),
    pytest.param("municipality_code: 151\nsource: \"Køge Kommunes klimaplan\"\n".encode("cp1252"),
                 2, None, None, "er ikke UTF-8-tekst: byten 0xF8", id="not UTF-8"),
    pytest.param(HEADER + "  recycling_rate:\n    target: {year: 2030, value: 60}\n",
                 4, "targets.recycling_rate", "recycling_rate", "ukendt nøgletal (kpi_id)", id="unknown KPI"),
    pytest.param(HEADER + "  residual_waste_share:\n    baseline: {year: 2031, value: 40}\n"
                 "    target: {year: 2030, value: 25}\n",
                 6, "targets.residual_waste_share.target.year", 2030, "efter udgangsåret (baseline) 2031",
                 id="target year before baseline year"),
    pytest.param(HEADER + "  residual_waste_share:\n    target: {year: 2030, value: \"25 %\"}\n",
                 5, "targets.residual_waste_share.target.value", "25 %", "skal være et tal",
                 id="text for a number"),
    pytest.param("municipality_code: 151\nsource: Klimaplan\nclimate:\n  scope: med_landbrug\n"
                 "  reference: {year: 1990, t_co2e: 1000}\n  milestones:\n    - {year: 2030, reduction_pct: 70}\n"
                 "  projection_2030_t_co2e: mange\n",
                 8, "climate.projection_2030_t_co2e", "mange", "skal være et tal", id="bad climate block"),
])
def test_each_problem_names_file_line_key_value_and_expectation(tmp_path, text, line, key, value, says):
    [problem], message = problems(tmp_path, text)
    assert (problem.row, problem.column, problem.value) == (line, key, value)
    assert says in problem.message and problem.expected
    shown = str(problem)
    assert shown.startswith(f"{tmp_path / '151.yaml'}, linje {line}")
    assert (f"nøgle '{key}'" in shown and f"(værdi: {value!r})" in shown) if key else "nøgle" not in shown
    assert f"; forventet: {problem.expected}" in shown and shown in message


def test_invalid_yaml_names_where_the_error_starts_and_where_it_is_found(tmp_path):
    [problem], _ = problems(tmp_path, "municipality_code: 151\nsource: [unclosed\ntargets: {}\n")
    assert problem.row == 2, "the line where the flow sequence was opened"
    assert "fejlen opdages i linje 3" in problem.message and "ret syntaksen" in problem.expected


def test_every_problem_is_found_in_file_order(tmp_path):
    found, message = problems(tmp_path, HEADER + (
        "  residual_waste_share:\n    target: {year: 2030, value: 120}\n"   # lines 4-5
        "  nope:\n    target: {year: 2030, value: 1}\n"                    # lines 6-7
        "  lca_projects_count:\n    baseline: {year: 2019, value: many}\n"  # lines 8-9
        "    target: {year: '20x0', value: 25}\n"))                       # line 10
    assert [(p.row, p.column) for p in found] == [
        (5, "targets.residual_waste_share.target.value"), (6, "targets.nope"),
        (9, "targets.lca_projects_count.baseline.value"), (10, "targets.lca_projects_count.target.year")]
    assert message.startswith(f"{tmp_path / '151.yaml'}: 4 problemer i målfilen:\n  - ")


def test_a_key_written_twice_is_a_problem(tmp_path):
    found, _ = problems(tmp_path, HEADER + "  residual_waste_share:\n    target: {year: 2030, value: 20}\n"
                        "  residual_waste_share:\n    target: {year: 2030, value: 30}\n")
    [twice] = found
    assert (twice.row, twice.column) == (6, "targets.residual_waste_share")
    assert "står to gange (også i linje 4)" in twice.message


def test_a_file_that_cannot_be_read_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "151.yaml").mkdir()
    with pytest.raises(TargetsError, match="filen kan ikke læses"):
        targets.load_file(151, tmp_path)


def test_files_in_the_project_are_named_relative_to_its_root(monkeypatch, tmp_path):
    from pipeline import config

    monkeypatch.setattr(config, "ROOT", tmp_path)
    (tmp_path / "data" / "raw" / "targets").mkdir(parents=True)
    write(tmp_path / "data" / "raw" / "targets", HEADER + "  nope:\n    target: {year: 2030, value: 1}\n")
    with pytest.raises(TargetsError) as err:
        targets.load_file(151, tmp_path / "data" / "raw" / "targets")
    [problem] = err.value.problems
    assert str(problem).startswith("data/raw/targets/151.yaml, linje 4, nøgle 'targets.nope': ")
