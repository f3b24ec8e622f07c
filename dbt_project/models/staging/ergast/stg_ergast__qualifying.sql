select
    qualifyId::bigint as qualify_id,
    raceId::integer as race_id,
    driverId::integer as driver_id,
    constructorId::integer as constructor_id,
    number::integer as car_number,
    position::integer as qualifying_position,
    {{ ergast_time_to_s('q1') }} as q1_time_s,
    {{ ergast_time_to_s('q2') }} as q2_time_s,
    {{ ergast_time_to_s('q3') }} as q3_time_s
from {{ source('raw', 'qualifying') }}
