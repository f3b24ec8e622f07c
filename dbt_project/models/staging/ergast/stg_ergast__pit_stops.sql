-- Ergast's `lap` is the in-lap (the lap on which the car entered the pit lane); duration is pit-lane time
-- (entry to exit), not the stationary time. `time` is the local time of day of the stop.
select
    raceId::integer as race_id,
    driverId::integer as driver_id,
    stop::integer as stop,
    lap::integer as lap,
    try_cast(time as time) as stop_local_time,
    milliseconds::bigint as pit_duration_ms,
    {{ ms_to_s('milliseconds') }} as pit_duration_s
from {{ source('raw', 'pit_stops') }}
