"""The built documentation site, loaded in a real headless Chromium over HTTP on 127.0.0.1.

``nox -s docs`` builds the site (warnings are errors) and runs this file with
``TAVUS_DOCS_SITE`` pointing at it. Run alone, the test builds the site itself when Sphinx (the
``docs`` extra) is installed. It is skipped, with the reason, when there is no site and no Sphinx,
or no Chromium (``apt-get install chromium``; ``TAVUS_CHROMIUM`` names another binary).
"""

from __future__ import annotations

import functools
import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str | None:
    named = os.environ.get("TAVUS_CHROMIUM")
    if named:
        return shutil.which(named) or named
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("TAVUS_DOCS_SITE")
    if given:
        path = Path(given).resolve()
        assert (path / "index.html").is_file(), f"TAVUS_DOCS_SITE={given} has no index.html"
        return path
    if importlib.util.find_spec("sphinx") is None:
        pytest.skip(
            "no built site and Sphinx is not installed (the docs extra): "
            "`nox -s docs` builds the site and runs this test"
        )
    out = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", str(ROOT / "docs"), str(out)],
        check=True,
        timeout=300,
    )
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="docs-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _dump_dom(url: str, tmp_path: Path) -> str:
    """The page's DOM after Chromium loaded it and ran its scripts."""
    browser = _browser()
    if browser is None:
        pytest.skip(
            f"no Chromium installed (looked for {', '.join(BROWSERS)}; apt-get install chromium)"
        )
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"chromium exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


def _text(dom: str) -> str:
    """The visible text of a DOM, whitespace collapsed (tags and scripts removed)."""
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


@pytest.mark.slow
def test_the_index_lists_the_guides_and_the_reference(server: str, tmp_path: Path) -> None:
    dom = _dump_dom(f"{server}/index.html", tmp_path)
    text = _text(dom)
    assert "<title>tavus-async" in dom
    for heading in ("The REST client", "Rooms and events", "Webhooks", "The simulator in tests"):
        assert heading in text, f"the index does not show {heading!r}"
    assert 'href="reference/index.html"' in dom


@pytest.mark.slow
def test_an_api_page_shows_signatures_and_docstrings(server: str, tmp_path: Path) -> None:
    text = _text(_dump_dom(f"{server}/reference/client.html", tmp_path))
    assert "class AsyncTavus ( api_key : str | None = None" in text
    assert "Return a copy with other options that shares this client" in text
    assert "with_options" in text
    assert "wait_until_ready" in text
    # The Google-style sections rendered as fields, not as literal "Args:" text.
    assert "Args:" not in text
    assert "max_retry_after" in text


def test_every_cross_reference_in_the_guides_is_a_link(site: Path) -> None:
    # Without nitpicky mode an unresolved role renders as plain code, silently.
    unresolved = []
    for page in sorted((site / "guides").glob("*.html")):
        for link, name in re.findall(
            r'(<a [^>]*>)?<code class="xref py[^"]*"><span class="pre">([^<]*)</span>',
            page.read_text(encoding="utf-8"),
        ):
            if not link:
                unresolved.append(f"{page.name}: {name}")
    assert not unresolved, f"guide references that link nowhere: {unresolved}"
