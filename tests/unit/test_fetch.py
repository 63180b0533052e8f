"""`fetch-emissions` against a local HTTP server on 127.0.0.1 serving a response in the API's shape
(tests never reach the internet): responses stored unchanged with their record, then ingested; without
a key, or when the service fails, a Danish message, exit code 2 and nothing written."""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import threading
import time
import urllib.parse

import pytest

from pipeline import cli, config, ingest
from tests.factories import ROOT, run_pipeline

RESPONSE = (ROOT / "tests" / "fixtures" / "emissions" / "api_response_samlet_twice_and_ve_ratio.json").read_bytes()
KEY = "hemmelig-test-nøgle-123"
EMPTY = b'{"data": []}'


class Service:
    """What the fake klimaregnskabet.dk answers: data for PUBLISHED data years, else an empty list;
    `fail` = {data year: 'http500' | 'http401' | 'html' | 'slow' | 'shape'}."""

    def __init__(self):
        self.published = set(range(2018, 2023))
        self.fail: dict[int, str] = {}
        self.requests: list[dict] = []


@pytest.fixture
def service():
    state = Service()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # the http.server API names it so
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            state.requests.append({"path": url.path, "query": query, "key": self.headers.get("x-api-key")})
            year = int(query.get("year", 0))
            mode = state.fail.get(year)
            if mode == "slow":
                time.sleep(1.5)
            if mode in ("http500", "http401"):
                self.send_response(int(mode[4:]))
                self.end_headers()
                return
            body = (b"<html>Vedligeholdelse</html>" if mode == "html" else b'{"rows": []}' if mode == "shape"
                    else RESPONSE if year in state.published else EMPTY)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def project(tmp_path, monkeypatch, service):
    raw = tmp_path / "data" / "raw"
    (raw / "targets").mkdir(parents=True)
    monkeypatch.setattr(config, "RAW", raw)
    monkeypatch.setattr(config, "TARGETS", raw / "targets")
    monkeypatch.setenv("KLIMAREGNSKAB_BASE_URL", service.base)
    monkeypatch.setenv("KLIMAREGNSKAB_API_KEY", KEY)
    monkeypatch.setenv("KLIMAREGNSKAB_TIMEOUT", "0.5")
    monkeypatch.delenv("KLIMAREGNSKABET_API_KEY", raising=False)
    return tmp_path


def _files(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fetch_stores_each_response_unchanged_with_its_record_and_ingests(project, service, capsys):
    assert cli.main(["fetch-emissions", "--year", "2024", "--municipality", "151"]) == 0
    folder = project / "data" / "raw" / "2024" / "151"
    assert sorted(p.name for p in folder.iterdir()) == [
        "emissions_2018.json", "emissions_2019.json", "emissions_2020.json", "emissions_2021.json",
        "emissions_2022.json", "emissions_fetch.json"], "2023 is not published yet: no file"
    assert all((folder / f"emissions_{y}.json").read_bytes() == RESPONSE for y in range(2018, 2023))
    assert [r["query"] for r in service.requests] == [
        {"municipality": "151", "year": str(y), "type": "Nøgletal"} for y in range(2018, 2024)]
    assert {r["path"] for r in service.requests} == {"/api/municipality-data"}
    assert {r["key"] for r in service.requests} == {KEY}, "the key goes in the x-api-key header"
    record = json.loads((folder / "emissions_fetch.json").read_text(encoding="utf-8"))
    assert record["base_url"] == service.base and record["report_year"] == 2024 and record["fetched_at"]
    assert record["requests"][0] == {
        "file": "emissions_2018.json",
        "url": f"{service.base}/api/municipality-data?municipality=151&year=2018&type=N%C3%B8gletal",
        "params": {"municipality": 151, "year": 2018, "type": "Nøgletal"}, "status": 200, "rows": 27,
        "sha256": hashlib.sha256(RESPONSE).hexdigest()}
    assert record["requests"][-1]["file"] is None and "ingen data for 2023" in record["requests"][-1]["note"]
    assert all(KEY.encode() not in body for body in _files(project).values()), "never store the key"
    assert "151 Ballerup         dataår 2018, 2019, 2020, 2021, 2022 gemt i" in capsys.readouterr().out
    result = ingest.ingest_year(2024, project / "data" / "raw", root=project)
    table = result.tables["emissions"]
    assert sorted(set(table["data_year"])) == [2018, 2019, 2020, 2021, 2022] and set(table["year"]) == {2024}
    parts = [p.file for p in result.manifest.files(151)["emissions"].parts]
    assert parts[-1] == "data/raw/2024/151/emissions_fetch.json", "the ingester checks the record"


def test_default_municipalities_are_those_with_a_targets_file(project, service):
    for code in (151, 741):
        (project / "data" / "raw" / "targets" / f"{code}.yaml").write_text("targets: {}\n")
    assert cli.main(["fetch-emissions", "--year", "2021", "--data-years", "2019-2020"]) == 0
    assert {(r["query"]["municipality"], r["query"]["year"]) for r in service.requests} == {
        ("151", "2019"), ("151", "2020"), ("741", "2019"), ("741", "2020")}
    assert sorted(p.name for p in (project / "data" / "raw" / "2021").iterdir()) == ["151", "741"]


def _refused(project, capsys, message, args=("--municipality", "151")):
    before = _files(project)
    assert cli.main(["fetch-emissions", "--year", "2024", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and KEY not in err
    assert _files(project) == before, "nothing may be written"
    assert not (project / "data" / "raw" / "2024").exists(), "not even an empty folder"
    return err


def test_without_a_key_nothing_is_fetched(project, service, capsys, monkeypatch):
    monkeypatch.delenv("KLIMAREGNSKAB_API_KEY")
    _refused(project, capsys, "Der er ingen API-nøgle til Klimaregnskabet: sæt miljøvariablen "
                              "KLIMAREGNSKAB_API_KEY")
    assert service.requests == []


@pytest.mark.parametrize("mode, message", [
    ("http500", "svarede HTTP 500"),
    ("http401", "afviste API-nøglen (HTTP 401)"),
    ("html", "svarede ikke med JSON (svaret begynder med '<html>Vedligeholdelse</html>')"),
    ("shape", 'svarede ikke med formen {"data": [...]}'),
    ("slow", "kunne ikke nås"),
])
def test_a_failing_service_writes_nothing_even_after_good_answers(project, service, capsys, mode, message):
    service.fail[2021] = mode  # 2018-2020 answered well first
    err = _refused(project, capsys, message)
    assert f"{service.base}/api/municipality-data?municipality=151&year=2021" in err


def test_an_unreachable_service_is_a_clear_message(project, capsys, monkeypatch):
    monkeypatch.setenv("KLIMAREGNSKAB_BASE_URL", "http://127.0.0.1:9")  # discard port: nobody listens
    _refused(project, capsys, "kunne ikke nås")


def test_an_existing_edition_is_never_overwritten(project, service, capsys):
    folder = project / "data" / "raw" / "2024" / "151"
    folder.mkdir(parents=True)
    (folder / "emissions.csv").write_text("year,sector,t_co2e\n2022,energi,1\n", encoding="utf-8")
    before = _files(project)
    assert cli.main(["fetch-emissions", "--year", "2024", "--municipality", "151"]) == 2
    assert "har allerede klimaregnskabet for 2024 (emissions.csv)" in capsys.readouterr().err
    assert _files(project) == before and service.requests == []


def test_bad_data_years_are_refused(project, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["fetch-emissions", "--year", "2024", "--data-years", "2022-2018"])
    assert exc.value.code == 2 and "skal være et år eller et interval" in capsys.readouterr().err


def test_the_module_entry_point_runs_the_fetch(tmp_path, service, monkeypatch):
    """`python -m pipeline fetch-emissions` (what make fetch-emissions runs), in a new process."""
    (tmp_path / "data" / "raw").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference", tmp_path / "data" / "reference")
    monkeypatch.setenv("KLIMAREGNSKAB_BASE_URL", service.base)
    monkeypatch.setenv("KLIMAREGNSKAB_API_KEY", KEY)
    proc = run_pipeline(tmp_path, "fetch-emissions", "--year", "2020", "--municipality", "751")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "data" / "raw" / "2020" / "751").iterdir()) == [
        "emissions_2018.json", "emissions_2019.json", "emissions_fetch.json"]


def test_a_timeout_that_is_not_a_number_is_refused(project, service, capsys, monkeypatch):
    monkeypatch.setenv("KLIMAREGNSKAB_TIMEOUT", "snart")
    _refused(project, capsys, "KLIMAREGNSKAB_TIMEOUT='snart' skal være et antal sekunder")
    assert service.requests == []
