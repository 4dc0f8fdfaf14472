"""The HTML schedule in a real headless Chromium: it renders, with its tables and charts.

Skipped, with the reason, where no ``chromium`` is on PATH (``make test`` installs it when
it can). Each run gets a fresh profile directory and no network features, so the browser
neither reads nor writes state outside the test's temporary folder.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from obc_check.model import Contract
from obc_check.render import render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not on PATH (apt-get install chromium, or run `make test` as root)",
)


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=90, check=False,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from obc_check.dsl import compile_file

    root = Path(__file__).resolve().parents[2]
    result = compile_file(root / "contracts" / "amh" / "contract.obc")
    assert result.contract is not None
    path = tmp_path_factory.mktemp("html") / "amh.html"
    path.write_text(render_html(result.contract), encoding="utf-8")
    return path


def test_screenshot_is_a_real_png(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "amh.png"
    run = _chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2000",
                    "--hide-scrollbars", page.as_uri())
    assert shot.exists(), run.stderr
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 2000)
    assert len(data) > 20_000  # a blank page compresses to a few kilobytes


def test_dom_has_the_tables_and_chart_images(
        page: Path, tmp_path: Path, contract_named: Callable[[str], Contract]) -> None:
    run = _chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    dom = run.stdout
    assert "<h1>Adult Mental Health Outcomes Based Contract</h1>" in dom, run.stderr
    paid = [i.id for _, i in contract_named("amh").paid_indicators()]
    assert len(re.findall(r"<table>", dom)) >= 3 + len(paid)
    assert "<caption>Table 4: Allocation of the Outcome Payment</caption>" in dom
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]{1000,})"', dom)
    assert len(images) == len(paid)
