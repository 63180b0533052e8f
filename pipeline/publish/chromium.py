"""Find Debian's Chromium and open pages in it headless and offline (PDFs, browser tests)."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import PipelineError

logger = logging.getLogger(__name__)

#: Environment variable that points at a Chromium binary (overrides the search below).
CHROMIUM_ENV = "GREEN_ACCOUNTS_CHROMIUM"

#: Where Debian's `chromium` package puts the browser (the wrapper script first).
CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/lib/chromium/chromium",
)

#: Headless, sandbox-less (we run as root in CI) and quiet: without the background-networking
#: flags Chromium tries to reach Google's update/sync services on start.
LAUNCH_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

INSTALL_HINT = "apt-get install -y chromium"


class BrowserNotFoundError(PipelineError):
    """No Chromium on this machine: the PDFs and the browser checks need Debian's `chromium`."""

    def __init__(self, looked_in: Iterable[str] = ()) -> None:
        looked = ", ".join(looked_in) or ", ".join(CHROMIUM_CANDIDATES)
        super().__init__(
            "Chromium blev ikke fundet. Installér den med: "
            f"`{INSTALL_HINT}` (som root, ellers med sudo). "
            f"/ Chromium was not found. Install it with: `{INSTALL_HINT}` "
            f"(as root, otherwise with sudo), or point {CHROMIUM_ENV} at a Chromium binary. "
            f"Looked in: {looked}."
        )
        self.looked_in = looked


def _is_executable(path: str | os.PathLike[str]) -> bool:
    p = Path(path)
    return p.is_file() and os.access(p, os.X_OK)


def chromium_search_path() -> list[str]:
    """The places `find_chromium` looks, in order."""
    places: list[str] = []
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        places.append(env)
    places.extend(CHROMIUM_CANDIDATES)
    places.extend(["chromium (PATH)", "chromium-browser (PATH)"])
    return places


def find_chromium() -> Path | None:
    """Path of a Chromium binary, or None. `$GREEN_ACCOUNTS_CHROMIUM` wins when it is set."""
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        if _is_executable(env):
            return Path(env)
        logger.warning(
            "%s=%s is not an executable file; searching the usual places", CHROMIUM_ENV, env
        )
    for candidate in CHROMIUM_CANDIDATES:
        if _is_executable(candidate):
            return Path(candidate)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def require_chromium() -> Path:
    """Like `find_chromium`, but raises `BrowserNotFoundError` (Danish + English) when there is none."""
    path = find_chromium()
    if path is None:
        raise BrowserNotFoundError(chromium_search_path())
    return path


def launch_options(executable: Path | None = None) -> dict:
    """Keyword arguments for Playwright's `chromium.launch(...)`."""
    exe = executable if executable is not None else require_chromium()
    return {"executable_path": str(exe), "headless": True, "args": list(LAUNCH_ARGS)}


def context_options() -> dict:
    """Keyword arguments for `browser.new_context(...)`: fixed viewport, Danish locale, no workers."""
    return {
        "viewport": {"width": 1280, "height": 900},
        "device_scale_factor": 1,
        "locale": "da-DK",
        "timezone_id": "Europe/Copenhagen",
        "service_workers": "block",
        "java_script_enabled": True,
    }


def file_url(path: Path) -> str:
    """The file:// URL of a local file (absolute, percent-encoded)."""
    return Path(path).resolve().as_uri()


def _strip_fragment(url: str) -> str:
    return urlsplit(url)._replace(fragment="").geturl()


def is_request_allowed(url: str, page_url: str) -> bool:
    """Offline policy: only the page's own file and `data:` URLs may load; nothing else,
    not even other local files (a published page must be self-contained)."""
    if url.startswith(("data:", "about:blank", "about:srcdoc")):
        return True
    return _strip_fragment(url) == _strip_fragment(page_url)


def block_network(target, page_url: str, blocked: list[str]) -> None:
    """Route every request of a Playwright page or context: allow `is_request_allowed`,
    abort the rest and append their URLs to `blocked`. Also records any request that
    bypasses routing (via the `request` event) and closes WebSockets."""

    def handle(route) -> None:
        url = route.request.url
        if is_request_allowed(url, page_url):
            route.continue_()
        else:
            if url not in blocked:
                blocked.append(url)
            route.abort("blockedbyclient")

    def on_request(request) -> None:
        url = request.url
        if not is_request_allowed(url, page_url) and url not in blocked:
            blocked.append(url)

    target.route("**/*", handle)
    target.on("request", on_request)
    route_ws: Callable | None = getattr(target, "route_web_socket", None)
    if route_ws is not None:

        def ws_handler(ws) -> None:
            blocked.append(ws.url)
            ws.close()

        route_ws("**/*", ws_handler)
