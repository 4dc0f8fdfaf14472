"""The rules layer: contract + typed tables + as-of date → Report, with exact arithmetic.

Public entry: :func:`evaluate` (contract, bundle, as_of) → Report. ``rules.evaluate`` is
that function; the module of the same name is ``obc_check.checker.rules.evaluate`` in
``sys.modules``. Reads ``data`` (the tables) and builds ``report`` (the Report model it
returns). One module per kind of rule:

- ``evaluate``: the entry; runs every rule and sums the report's totals.
- ``values``: an indicator's value for a contract year, from the indicators table.
- ``achievement``: how much of an indicator's allocation a value earns.
- ``payments``: the outcome payment of each ended year, gateways included.
- ``risk``: the alliance risk share of each ended year.
- ``ratecard``: outcome counts × price under per-price and total caps.
- ``capitation``: the year-of-care tariff, people × price / 12 over begun months (RECORDS.md).
- ``obligations``: report, spend-share and flow-down obligations, and the ledger masks.
- ``prompt_payment``: every invoice's due date and status, over the ledger's columns.
- ``workdays``: working days in England (bank holidays excluded).
"""

from obc_check.checker.rules.evaluate import evaluate

__all__ = ["evaluate"]
