"""Build hook: compile the claims path's C kernels (obc_check/checker/data/kernels/claims.c).

The result is a shared library of the C library only, loaded with ctypes at run time
(``obc_check.checker.data.kernels``), so it is tied to the platform but not to a Python
version. Without a C compiler the build goes on and says so: the package then runs the
same steps in numpy (slower on a million claims, the same results). ``OBC_BUILD_NATIVE=0``
skips the compile.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("obc_check/checker/data/kernels/claims.c")
TARGET = SOURCE.with_name("_claims.so")


def source_digest(text: bytes) -> str:
    """What the library records of the text it was compiled from (kernels/__init__.py)."""
    return hashlib.sha256(text).hexdigest()[:16]


def _compiler() -> list[str] | None:
    named = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    command = shlex.split(named)
    if not command or shutil.which(command[0]) is None:
        for fallback in ("cc", "gcc", "clang"):
            if shutil.which(fallback):
                return [fallback]
        return None
    return command


class NativeKernels(BuildHookInterface):
    """Compiles ``claims.c`` into ``_claims.so`` beside it, and ships it in the wheel."""

    PLUGIN_NAME = "custom"
    _scratch: str | None = None

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the folder a wheel's library was compiled in, once the wheel holds it."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile (unless switched off or impossible) and include the library."""
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        source = root / SOURCE
        # an editable install loads the library from the source tree; a wheel carries one
        # compiled outside it (the tree stays as it was)
        if version == "editable":
            target = root / TARGET
        else:
            self._scratch = tempfile.mkdtemp(prefix="obc-kernels-")
            target = Path(self._scratch) / TARGET.name
        if os.environ.get("OBC_BUILD_NATIVE", "1") == "0":
            return
        compiler = _compiler()
        if compiler is None:
            print("obc-check: no C compiler found; the claims kernels are not built "
                  "(the numpy steps run instead)", file=sys.stderr)
            return
        # into a new file, then renamed over the old one: a process that has the old one
        # loaded keeps its pages (writing the loaded file in place could crash it)
        fresh = target.with_name(f".{target.name}.{os.getpid()}")
        digest = source_digest(source.read_bytes())
        command = [*compiler, "-O3", "-std=c99", "-fPIC", "-shared",
                   f'-DOBC_SOURCE="{digest}"', "-o", str(fresh), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as error:
            print(f"obc-check: {shlex.join(command)} failed ({error}); the claims kernels "
                  "are not built", file=sys.stderr)
            return
        if done.returncode:
            fresh.unlink(missing_ok=True)
            print(f"obc-check: {shlex.join(command)} failed; the claims kernels are not "
                  f"built:\n{done.stderr}", file=sys.stderr)
            return
        os.replace(fresh, target)
        if version != "editable":
            build_data["force_include"][str(target)] = str(TARGET)
            build_data["pure_python"] = False
            # tied to the platform, not to a Python version: the library uses no Python API
            platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
            build_data["tag"] = f"py3-none-{platform}"
