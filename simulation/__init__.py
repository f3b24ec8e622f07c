"""undercut simulation: vectorised Monte Carlo race and strategy engine (pure Python + numpy + numba)."""
