"""Pandera schemas of the canonical tables."""
