"""Bundled fonts (data only)."""
