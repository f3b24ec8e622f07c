-- Track status as intervals [start, end) on the session clock, one row per status change of every session.
select
    race_id,
    season,
    round,
    session_code,
    track_status_code,
    {{ track_state('track_status_code', include_yellow=false) }} as neutralisation_state,
    session_time_s as start_session_time_s,
    lead(session_time_s) over (
        partition by season, round, session_code order by session_time_s, track_status_code
    ) as end_session_time_s
from {{ ref('stg_fastf1__track_status') }}
