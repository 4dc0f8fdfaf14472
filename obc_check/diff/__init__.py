"""What changed between two versions of a contract, in contract terms (``obc-check diff``).

``diff_contracts(old, new)`` compares two compiled contracts and classifies every change as
stricter, looser or neutral for the provider (docs/diff.md); ``to_text``, ``to_markdown`` and
``to_json`` present the result.
"""

from obc_check.diff.changes import Change, Changes, PotYear
from obc_check.diff.compare import diff_contracts
from obc_check.diff.output import describe, to_json, to_markdown, to_text

__all__ = ["Change", "Changes", "PotYear", "describe", "diff_contracts", "to_json",
           "to_markdown", "to_text"]
