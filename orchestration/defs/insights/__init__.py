"""Race intelligence assets: time lost, race stories (Track Pulse), battle forecast."""
