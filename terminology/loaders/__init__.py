"""Readers of terminology content from files."""
