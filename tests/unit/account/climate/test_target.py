"""The climate target block: parsing with Danish messages, the piecewise-linear path and its status."""

import pytest

from pipeline.account import status, targets
from pipeline.account.climate.target import ClimateTarget, Milestone, assess

BALLERUP = ClimateTarget("med_landbrug", 1990, 400_000.0, (Milestone(2030, 85.0), Milestone(2045, 100.0)))
HEADER = "municipality_code: 151\nsource: Klimaplan\n"


def test_the_path_is_linear_between_reference_and_milestones():
    assert BALLERUP.path(1990) == 400_000.0 and BALLERUP.path(1980) == 400_000.0
    # 1990 → 2030: 400.000 → 60.000 t, so 8.500 t less a year; 2023 is 33 years on
    assert BALLERUP.path(2023) == pytest.approx(400_000 - 33 * 8_500)  # 119.500 t
    assert BALLERUP.path(2030) == pytest.approx(60_000)
    assert BALLERUP.path(2040) == pytest.approx(60_000 - 10 / 15 * 60_000)  # 20.000 t
    assert BALLERUP.path(2050) == 0.0
    assert BALLERUP.reduction_pct(148_000) == pytest.approx(63.0)


def test_status_on_the_path_lower_is_better():
    assert assess(BALLERUP, 119_500.0, 2023) == (status.ON_TRACK, pytest.approx(119_500))
    assert assess(BALLERUP, 148_000.0, 2023)[0] == status.OFF_TRACK
    assert assess(BALLERUP, 0.0, 2045)[0] == status.REACHED  # the last milestone year has come
    assert assess(BALLERUP, 5.0, 2046)[0] == status.NOT_REACHED
    assert assess(None, 100.0, 2023) == (status.NO_TARGET, None)
    assert assess(BALLERUP, None, 2023)[0] == status.NO_DATA


def test_a_climate_block_is_read_from_the_targets_file(tmp_path):
    (tmp_path / "151.yaml").write_text(HEADER + (
        "climate:\n  scope: uden_landbrug\n  reference: {year: 1990, t_co2e: 400000}\n"
        "  milestones: [{year: 2045, reduction_pct: 100}, {year: 2030, reduction_pct: 85}]\n"
        "  projection_2030_t_co2e: 150000\n"), encoding="utf-8")
    climate = targets.load_file(151, tmp_path).climate
    assert climate.scope == "uden_landbrug" and climate.reference_t_co2e == 400_000.0
    assert [m.year for m in climate.milestones] == [2030, 2045], "sorted by year"
    assert climate.projection_2030_t_co2e == 150_000.0
    assert targets.load_file(151, tmp_path).targets == {}


@pytest.mark.parametrize(("block", "message"), [
    ("climate:\n  scope: alt\n  reference: {year: 1990, t_co2e: 1}\n  milestones: [{year: 2030, reduction_pct: 70}]\n",
     ("nøgle 'climate.scope': 'scope' skal sige, om målet gælder udledningen med eller uden landbrug "
      "(værdi: 'alt'); forventet: med_landbrug eller uden_landbrug")),
    ("climate:\n  scope: med_landbrug\n  reference: {year: 1990, t_co2e: -5}\n  milestones: [{year: 2030, reduction_pct: 70}]\n",
     "'reference' skal være"),
    ("climate:\n  scope: med_landbrug\n  reference: {year: 1990, t_co2e: 10}\n  milestones: [{year: 2030, reduction_pct: 170}]\n",
     "nøgle 'climate.milestones[0]'"),
    ("climate:\n  scope: med_landbrug\n  reference: {year: 2030, t_co2e: 10}\n  milestones: [{year: 2020, reduction_pct: 70}]\n",
     "ligger ikke efter referenceåret 2030"),
    ("climate:\n  scope: med_landbrug\n  reference: {year: 1990, t_co2e: 10}\n  milestones: []\n",
     "'milestones' skal være en liste"),
    ("climate:\n  scope: med_landbrug\n  reference: {year: 1990, t_co2e: 10}\n  milestones: [{year: 2030, reduction_pct: 70}]\n  typo: 1\n",
     "ukendt nøgle 'typo'"),
])
def test_a_bad_climate_block_names_the_file_and_the_problem(tmp_path, block, message):
    (tmp_path / "151.yaml").write_text(HEADER + block, encoding="utf-8")
    with pytest.raises(targets.TargetsError) as err:
        targets.load_file(151, tmp_path)
    assert message in str(err.value) and "151.yaml" in str(err.value)
