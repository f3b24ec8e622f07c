-- When each race lap started and ended on the session clock, as seen by the leader (the first car to start a lap).
-- Used to turn a session time (a track-status change, a pit entry) into "the race lap in progress".
select
    race_id,
    lap_number,
    min(lap_start_session_time_s) as lap_start_session_time_s,
    min(lap_end_session_time_s) as lap_end_session_time_s
from {{ ref('stg_fastf1__session_laps') }}
where session_code = 'R' and race_id is not null and lap_start_session_time_s is not null
group by race_id, lap_number
