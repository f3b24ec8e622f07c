select
    {{ fastf1_session_keys() }},
    Time::double as session_time_s,
    Status::varchar as session_status
from {{ source('raw', 'session_status') }}
