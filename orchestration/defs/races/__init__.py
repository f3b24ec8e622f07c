"""Race-partitioned precompute shared pieces (the `race` partitions)."""
