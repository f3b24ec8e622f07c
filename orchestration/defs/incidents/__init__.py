"""Failed-run analysis (RCA): the run-failure sensor, the incident store and `undercut incidents` (see orchestration/incidents)."""
