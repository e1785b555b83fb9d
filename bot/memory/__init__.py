"""Relationship memory: what happened with each contact and account, and who owns it."""
