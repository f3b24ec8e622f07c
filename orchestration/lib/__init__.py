"""Helpers every orchestration domain shares: asset keys, race ids, plots as metadata, lake checks, policies."""
