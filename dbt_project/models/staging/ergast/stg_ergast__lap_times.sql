select
    raceId::integer as race_id,
    driverId::integer as driver_id,
    lap::integer as lap_number,
    position::integer as position,
    milliseconds::bigint as lap_time_ms,
    {{ ms_to_s('milliseconds') }} as lap_time_s
from {{ source('raw', 'lap_times') }}
