"""The data layer: a bundle's files → typed, validated tables, every error at its cell.

Imports nothing from ``rules`` or ``report`` (pinned by import-linter, pyproject.toml).
"""
