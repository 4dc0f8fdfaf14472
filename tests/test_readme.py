"""The README's tour shows real output: the E012 example is produced, not typed by hand."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from obc_check.cli import app

ROOT = Path(__file__).resolve().parent.parent


def test_readme_weight_example_is_what_validate_prints(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"\$ obc-check validate /tmp/amh\.obc\n(.*?)```", readme, re.S)
    assert shown is not None, "the README lost its validate example"
    source = (ROOT / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")
    changed = tmp_path / "amh.obc"
    changed.write_text(source.replace("weight 10%", "weight 5%"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(changed)])
    assert result.exit_code == 2
    printed = result.stderr.replace(str(changed), "/tmp/amh.obc")
    assert printed.strip() == shown.group(1).strip()
