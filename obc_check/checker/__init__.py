"""Data bundles against a compiled contract: load, evaluate, report."""
