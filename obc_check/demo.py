"""``make demo``: run obc-check over the contract library, one line per contract.

A library entry is a folder with ``contract.obc`` and, optionally, a ``data/`` bundle and an
``expected.json`` whose ``as_of`` fixes the assessment date. Until ``check`` exists this
validates each contract; the exit status is the worst of the runs (2 beats 1 beats 0).
"""

from __future__ import annotations

import sys
from pathlib import Path

from obc_check.diagnostics import render_text
from obc_check.dsl import compile_file


def main(argv: list[str]) -> int:
    """Validate every ``*/contract.obc`` under the folder named in ``argv``."""
    root = Path(argv[0] if argv else "contracts")
    worst = 0
    for folder in sorted(p for p in root.iterdir() if (p / "contract.obc").exists()):
        result = compile_file(folder / "contract.obc")
        if result.ok:
            print(f"{folder.name}: compiles")
        else:
            print(render_text(result.diagnostics, {result.file: result.source}))
            worst = 2
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
