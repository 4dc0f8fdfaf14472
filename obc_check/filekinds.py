"""What a path names, before anything opens it: a file, a folder, or something to refuse.

Opening a named pipe (FIFO) blocks until another process writes to it, so a FIFO given as a
contract or a data file hung ``obc-check`` forever; a symbolic link that loops looked like
"no such file" (``Path.exists`` swallows ELOOP). Every reader asks here first.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["file", "folder", "missing", "refused"]


@dataclass(frozen=True, slots=True)
class PathKind:
    """The kind of a path; for a refused one, why, in words for a message."""

    kind: Kind
    why: str = ""


def path_kind(path: Path) -> PathKind:
    """Regular file, folder, missing, or refused (a FIFO, socket, device, looping link...).

    Symbolic links are followed: a link to a regular file is a file.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return PathKind("missing")
    except OSError as err:
        if err.errno == errno.ELOOP:
            return PathKind("refused", "is a symbolic link that loops (too many levels of "
                                       "symbolic links)")
        return PathKind("refused", f"cannot be read: {err.strerror or err}")
    if stat.S_ISREG(mode):
        return PathKind("file")
    if stat.S_ISDIR(mode):
        return PathKind("folder")
    if stat.S_ISFIFO(mode):
        return PathKind("refused", "is a named pipe (FIFO), not a regular file")
    if stat.S_ISSOCK(mode):
        return PathKind("refused", "is a socket, not a regular file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return PathKind("refused", "is a device, not a regular file")
    return PathKind("refused", "is not a regular file")
