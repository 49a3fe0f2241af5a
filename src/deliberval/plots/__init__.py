"""Matplotlib figures of analysis results; every function returns a Figure and never shows or saves it."""
