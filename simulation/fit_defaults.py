"""Numbers the simulator's fits share across modules.

The fuel model, the clean-lap filter and the VSC era are the dbt project's (its vars, read here): the marts' clean
laps and fuel-corrected times and the fits on them must use the same numbers. The rest belong to the simulation.
"""

from __future__ import annotations

from transforms.dbt_vars import dbt_var

# A full tank, burnt linearly to empty at the flag, costs FUEL_S_PER_KG of lap time per kg.
FUEL_START_KG = float(dbt_var("fuel_start_kg"))
FUEL_S_PER_KG = float(dbt_var("fuel_s_per_kg"))
# Clean laps slower than this multiple of the race's median clean lap are traffic or mistakes, not pace.
CLEAN_LAP_MAX_RATIO = float(dbt_var("clean_lap_max_ratio"))
# SC/VSC/red-flag rates and retirements are counted from the VSC's introduction: older races lack VSCs.
EVENTS_SINCE_SEASON = int(dbt_var("first_vsc_season"))
# Lap-time fits (the backtest's history, the built-in circuit defaults) start here: from 2019 on Pirelli names a
# weekend's compounds SOFT/MEDIUM/HARD; earlier names are mapped by softness in dbt.
FIRST_LAP_FIT_SEASON = 2019
