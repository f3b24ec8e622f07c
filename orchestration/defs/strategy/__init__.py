"""Strategy precompute: safety-car probabilities, next-race strategies, what-if alternatives, championship odds."""
