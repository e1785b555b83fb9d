"""Relationship memory: what the agents remember, and what it holds back."""
