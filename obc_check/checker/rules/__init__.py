"""The rules layer: contract + typed tables + as-of date → Report, with exact arithmetic.

Reads ``data`` (the tables) and builds ``report`` (the Report model it returns).
"""
