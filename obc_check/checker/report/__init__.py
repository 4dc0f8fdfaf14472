"""The report layer: the Report model (``obc-report/1``), its row blocks and its formats.

Reads only ``data`` (money and ledger helpers); never ``rules``.
"""
