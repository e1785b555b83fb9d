"""Digests, reports, queue counts, notices."""
