"""Fetch Energi- og CO2-regnskabet's key figures (type "Nøgletal") for one edition into data/raw/<YEAR>/.

One request per municipality and data year: `GET <base>/api/municipality-data?municipality=151&
year=2022&type=Nøgletal` with the key in the header `x-api-key` (the API's `year` is the data year).
The edition for report year YEAR asks for the data years FIRST_DATA_YEAR … YEAR-1; a year the
service has not published yet answers with an empty `data` list and gets no file. Each response is
stored unchanged as `emissions_<data year>.json`, and `emissions_fetch.json` beside it records the
URL, parameters (never the key), HTTP status, time and checksum of every request.

All or nothing: every request is made before anything is written, and a failed request (no key,
HTTP error, timeout, not JSON, not `{"data": [...]}`) writes nothing. An edition already in
data/raw is never overwritten: raw data is immutable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__, config, registry
from pipeline.errors import PipelineError

log = logging.getLogger(__name__)

KEY_VARIABLES = ("KLIMAREGNSKAB_API_KEY", "KLIMAREGNSKABET_API_KEY")  # both names are in public use
BASE_URL_VARIABLE, DEFAULT_BASE_URL = "KLIMAREGNSKAB_BASE_URL", "https://klimaregnskabet.dk"
TIMEOUT_VARIABLE, DEFAULT_TIMEOUT = "KLIMAREGNSKAB_TIMEOUT", 60.0
ENDPOINT, DATA_TYPE = "/api/municipality-data", "Nøgletal"
FIRST_DATA_YEAR = 2018  # the first data year Energi- og CO2-regnskabet's API serves


class FetchError(PipelineError):
    """The service could not be used (no key, HTTP error, timeout, not JSON): nothing is written."""


@dataclass(frozen=True)
class Response:
    code: int
    data_year: int
    url: str
    params: dict
    status: int
    body: bytes
    rows: int

    @property
    def file(self) -> str | None:
        return config.EMISSIONS_RESPONSE.format(data_year=self.data_year) if self.rows else None


def api_key(environ=os.environ) -> str | None:
    return next((environ[v].strip() for v in KEY_VARIABLES if environ.get(v, "").strip()), None)


def base_url(environ=os.environ) -> str:
    return (environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL).strip().rstrip("/")


def request(base: str, key: str, code: int, data_year: int, timeout: float) -> Response:
    """One GET; the body is kept byte for byte. Raises FetchError with a Danish message."""
    params = {"municipality": code, "year": data_year, "type": DATA_TYPE}
    url = f"{base}{ENDPOINT}?{urllib.parse.urlencode(params)}"
    headers = {"x-api-key": key, "Accept": "application/json",
               "User-Agent": f"green-accounts-pipeline/{__version__}"}
    what = f"Klimaregnskabet ({url})"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as resp:
            body, status = resp.read(), resp.status
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise FetchError(f"{what} afviste API-nøglen (HTTP {exc.code}). Tjek miljøvariablen "
                             f"{KEY_VARIABLES[0]}.") from None
        raise FetchError(f"{what} svarede HTTP {exc.code} ({exc.reason}). Prøv igen senere.") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{what} kunne ikke nås: {reason} (ventetid {timeout:g} s). Tjek "
                         f"forbindelsen eller {BASE_URL_VARIABLE}, og prøv igen.") from None
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:60].decode("utf-8", "replace")
        raise FetchError(f"{what} svarede ikke med JSON (svaret begynder med {start!r}).") from None
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise FetchError(f'{what} svarede ikke med formen {{"data": [...]}}.')
    return Response(code, data_year, url, params, status, body, len(document["data"]))


def record(responses: list[Response], year: int, base: str, when: dt.datetime) -> dict:
    """emissions_fetch.json: what was asked, when, and what came back; never the key."""
    return {
        "source": "Energi- og CO2-regnskabet (Energistyrelsen), klimaregnskabet.dk",
        "base_url": base,
        "endpoint": ENDPOINT,
        "report_year": year,
        "municipality": responses[0].code,
        "fetched_at": when.isoformat(timespec="seconds"),
        "generated_by": f"green-accounts-pipeline {__version__}: python -m pipeline fetch-emissions",
        "api_key": "sendt i headeren x-api-key; gemmes ikke",
        "requests": [{
            "file": r.file, "url": r.url, "params": r.params, "status": r.status, "rows": r.rows,
            **({"sha256": hashlib.sha256(r.body).hexdigest()} if r.file else
               {"note": f"tomt svar: ingen data for {r.data_year} endnu; ingen fil"}),
        } for r in responses],
    }


def _existing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*") if p.name.lower().startswith("emissions")) \
        if folder.is_dir() else []


def fetch(year: int, codes: list[int], raw_root: Path, data_years=None, environ=os.environ,
          now: dt.datetime | None = None) -> dict[int, list[Path]]:
    """Fetch and store the edition YEAR for the municipalities; returns the files written per code."""
    key = api_key(environ)
    if not key:
        raise FetchError(f"Der er ingen API-nøgle til Klimaregnskabet: sæt miljøvariablen "
                         f"{KEY_VARIABLES[0]} (nøglen fås på klimaregnskabet.dk). Intet er hentet.")
    base = base_url(environ)
    try:
        timeout = float(environ.get(TIMEOUT_VARIABLE) or DEFAULT_TIMEOUT)
    except ValueError:
        raise FetchError(f"{TIMEOUT_VARIABLE}={environ.get(TIMEOUT_VARIABLE)!r} skal være et antal "
                         "sekunder, fx 60") from None
    years = list(data_years or range(FIRST_DATA_YEAR, year))
    for code in codes:
        folder = raw_root / str(year) / str(code)
        if found := _existing(folder):
            raise FetchError(f"{folder} har allerede klimaregnskabet for {year} ({', '.join(found)}). "
                             "Rådata ændres aldrig: en ny udgave hentes til næste regnskabsår.")
    by_code = {code: [request(base, key, code, y, timeout) for y in years] for code in codes}
    when = (now or dt.datetime.now()).astimezone()
    return _write(by_code, year, raw_root, base, when)


def _write(by_code: dict[int, list[Response]], year: int, raw_root: Path, base: str,
           when: dt.datetime) -> dict[int, list[Path]]:
    """Write every file into a hidden staging folder, then move them into place (undone on failure)."""
    year_folder = raw_root / str(year)
    created = [d for d in (year_folder, *(year_folder / str(c) for c in by_code)) if not d.exists()]
    year_folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-emissions-", dir=year_folder))
    moved: list[Path] = []
    written: dict[int, list[Path]] = {}
    try:
        plan = []
        for code, responses in by_code.items():
            kept = [r for r in responses if r.file]
            if not kept:
                log.warning("%s: Klimaregnskabet har ingen data for dataårene %s; intet gemt",
                            registry.get(code).name, ", ".join(str(r.data_year) for r in responses))
                continue
            files = {r.file: r.body for r in kept}
            text = json.dumps(record(responses, year, base, when), indent=2, ensure_ascii=False)
            files[config.EMISSIONS_FETCH_RECORD] = (text + "\n").encode("utf-8")
            for name, body in files.items():
                (staging / f"{code}-{name}").write_bytes(body)
                plan.append((staging / f"{code}-{name}", year_folder / str(code) / name, code))
        for source, target, code in plan:
            target.parent.mkdir(exist_ok=True)
            os.replace(source, target)
            moved.append(target)
            written.setdefault(code, []).append(target)
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(created):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)
    for folder in reversed(created):  # a municipality with no data at all leaves no empty folder
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return written
