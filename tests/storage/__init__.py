"""Migrations on both databases."""
