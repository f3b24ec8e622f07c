"""Narration templates, one module per language."""
