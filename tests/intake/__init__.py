"""Imports, the signals webhook, feeds."""
