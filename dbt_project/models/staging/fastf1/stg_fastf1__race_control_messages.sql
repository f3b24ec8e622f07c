-- Race control messages; unlike the other weekend tables, Time is a wall-clock timestamp (UTC).
select
    {{ fastf1_session_keys() }},
    Time::timestamp as message_at_utc,
    Category::varchar as category,
    Message::varchar as message,
    Status::varchar as status,
    Flag::varchar as flag,
    Scope::varchar as scope,
    Sector::integer as sector,
    try_cast(RacingNumber as integer) as car_number,
    Lap::integer as lap_number
from {{ source('raw', 'race_control_messages') }}
