"""Decisions, learning, trust, who may decide."""
