-- Track status changes: 1 green, 2 yellow, 4 safety car, 5 red flag, 6 VSC deployed, 7 VSC ending.
select
    {{ fastf1_session_keys() }},
    Time::double as session_time_s,
    Status::varchar as track_status_code,
    Message::varchar as track_status_message
from {{ source('raw', 'track_status') }}
