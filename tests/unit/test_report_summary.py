"""The run's summary: one line per municipality (published, with named warnings, blocked with the first
reason, failed), the totals and the exit code."""

from dataclasses import dataclass

from pipeline import registry, report_summary
from pipeline.run import ReportRun, ValidationRun
from tests.factories import year_paths

CAVEAT = {"dataset": "fleet", "kpis": [], "severity": "warning", "rule": "fleet_size_year_over_year",
          "message": "Vognparken er faldet med 50,8 % fra 2023 til 2024 (over ±30 %)."}


@dataclass
class Result:  # the fields of validate.MunicipalityValidation the summary reads
    code: int
    status: str
    datasets_delivered: list
    caveats: list
    failures_detail: list

    def rows_failed(self, severity=None) -> int:
        return sum(severity is None or f["severity"] == severity for f in self.failures_detail)


@dataclass
class Outcome:  # the fields of account.notebook.RenderOutcome the summary reads
    code: int
    ok: bool
    error: str | None = None
    seconds: float = 1.0
    retries: int = 0


def test_every_municipality_gets_a_line_and_the_exit_code_follows(tmp_path):
    targets = tmp_path / "targets"
    targets.mkdir()
    for code in (151, 730):
        (targets / f"{code:03d}.yaml").write_text("x", encoding="utf-8")
    all5 = ["buildings", "construction_projects", "fleet", "waste", "actions"]
    results = {
        151: Result(151, "published", all5, [], []),
        730: Result(730, "published", all5, [CAVEAT, CAVEAT], []),
        147: Result(147, "published", ["fleet"], [], []),
        751: Result(751, "blocked", all5, [], [
            {"severity": "critical", "message": "data/raw/2024/751/waste.csv, række 7: -3,5"},
            {"severity": "warning", "message": "ikke vist"}]),
        766: Result(766, "published", all5, [], []),
    }
    run = ReportRun(ValidationRun(results, {665: ["data/raw/2024/665/fleet.csv, række 4: 'sidste forår'"]}),
                    [Outcome(151, True, retries=1), Outcome(730, True), Outcome(147, True),
                     Outcome(766, False, "celle 4 fejlede: KeyError: 'x'")])
    paths = year_paths(tmp_path)
    paths.reports.mkdir(parents=True)
    paths.report(registry.get(751)).write_text("old", encoding="utf-8")
    lines, counts = report_summary.lines(paths, run, targets)
    by_code = {int(line.split()[0]): line for line in lines}
    assert sorted(by_code) == [147, 151, 665, 730, 751, 766]
    assert by_code[151].split("[")[0].rstrip().endswith("udgivet (kernen svarede ikke første gang; kørt igen med en ny)")
    assert "udgivet med 1 advarsel: Vognparken er faldet med 50,8 %" in by_code[730], "named once"
    assert "ingen målfil (147.yaml" in by_code[147] and "kun 1 af 5 datasæt leveret" in by_code[147]
    assert "BLOKERET (seneste udgivne regnskab beholdes): data/raw/2024/751/waste.csv" in by_code[751]
    assert "ikke vist" not in by_code[751]
    assert "BLOKERET (intet tidligere regnskab): leverancen kan ikke læses" in by_code[665]
    assert "FEJL (intet tidligere regnskab): celle 4 fejlede" in by_code[766]
    assert counts == {"published": 3, "with_warnings": 2, "blocked": 2, "failed": 1, "unchanged": 0}
    assert report_summary.totals(counts) == "Udgivet: 3 (heraf 2 med advarsler), blokeret: 2, fejlet: 1."
    assert report_summary.exit_code(counts) == 1
    assert report_summary.exit_code({"published": 3, "with_warnings": 2, "blocked": 0, "failed": 0}) == 0


def test_many_warnings_are_counted_beyond_the_first_three(tmp_path):
    caveats = [{**CAVEAT, "message": f"advarsel {i}"} for i in range(5)]
    result = Result(151, "published", ["fleet", "waste", "buildings"], caveats, [])
    warnings = report_summary.warnings_of(result, tmp_path)
    assert warnings[0].startswith("ingen målfil") and len(warnings) == 6
    run = ReportRun(ValidationRun({151: result}, {}), [Outcome(151, True)])
    (line,), _ = report_summary.lines(year_paths(tmp_path), run, tmp_path)
    assert "udgivet med 6 advarsler:" in line and "(+3 advarsler mere)" in line
