r"""Text that leaves the tool: no raw control characters on a terminal or in a report.

Data cells and contract strings reach messages (``\x1b[2J`` is not a date) and reports.
A raw ESC byte would drive the reader's terminal; a NUL or a lone surrogate breaks XML and
some editors; bidi overrides make a line read differently from what it holds. Each is shown
as a visible escape instead (``\x1b``, ``\u202e``), so the reader sees what the data holds.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates,
# and lone surrogates (undecodable bytes read with surrogateescape).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def printable(text: str) -> str:
    """``text`` with every unsafe character shown as an escape (tabs and newlines too).

    For one-line text: a message, a hint, a table cell. Text already free of them (nearly
    all text) is returned as it is, without copying.
    """
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)
