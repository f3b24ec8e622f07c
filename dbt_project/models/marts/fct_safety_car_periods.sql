-- SC / VSC / red-flag periods per race (see int_neutralisation_periods for sources and lap conventions).
select
    race_id,
    season,
    round,
    circuit_id,
    kind,
    period_number,
    start_lap,
    end_lap,
    end_lap - start_lap + 1 as laps_neutralised,
    race_laps,
    start_lap::double / nullif(race_laps, 0) as start_fraction,
    source,
    cause,
    red_flag_resumed_code,
    start_session_time_s,
    end_session_time_s
from {{ ref('int_neutralisation_periods') }}
