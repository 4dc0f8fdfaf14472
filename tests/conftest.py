"""Shared test fixtures: golden files and paths.

Golden files are the source of truth for text output. Run ``pytest --update-goldens`` (or
``make goldens``) after a deliberate change and review the diff like code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden files from the current output")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """Compare ``actual`` with the golden file at ``path`` (or rewrite it)."""
    update = bool(request.config.getoption("--update-goldens"))

    def check(path: Path, actual: str) -> None:
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {path} is missing; run pytest --update-goldens")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from {path}; if intended, --update-goldens"

    return check


@pytest.fixture
def library() -> list[Path]:
    """The contract library's folders (each with contract.obc, data/, expected.json)."""
    return sorted(p for p in CONTRACTS.iterdir() if (p / "contract.obc").exists())


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests behave alike on a laptop and under CI: ``check`` warns (W007) when ``CI`` is set
    and ``--as-of`` is not, so ``CI`` is unset for every test (and the commands it starts);
    the tests of W007 set it themselves."""
    monkeypatch.delenv("CI", raising=False)
