"""Data bundles against a compiled contract: load, evaluate, report.

Three layers, one way (pinned by import-linter, pyproject.toml):

- ``data/``: a bundle's files → typed, validated tables (:func:`data.load_bundle`).
- ``rules/``: contract + tables + as-of date → Report (:func:`rules.evaluate`).
- ``report/``: the Report model and its formats (:func:`report.render`).
- ``check.py``: the one call the CLI makes (:func:`check.check_bundle`): load, then evaluate.

Data flows data → rules → report; imports go rules → report → data, because rules build
the Report that the report layer defines (as dsl builds the model it imports).
"""
