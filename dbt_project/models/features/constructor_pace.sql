-- Pre-race pace of every constructor entered in a race (incl. the next race): its race-pace deficit to the fastest
-- car (median fuel-corrected clean lap per race, int_constructor_race_pace) averaged over its last
-- form_window_races races *with lap data* before this race.
with entries as (
    select distinct race_id, season, round, race_start_at, constructor_id
    from {{ ref('int_race_entries') }}
),

pace_history as (
    -- rolling figures as they stood right after each race with pace data
    select
        pace.constructor_id,
        races.race_start_at,
        pace.pace_deficit_pct as last_race_pace_deficit_pct,
        avg(pace.pace_deficit_pct) over recent as avg_pace_deficit_pct,
        avg(pace.pace_deficit_s) over recent as avg_pace_deficit_s,
        count(*) over recent as pace_races_in_window
    from {{ ref('int_constructor_race_pace') }} as pace
    inner join {{ ref('int_races') }} as races using (race_id)
    window recent as (
        partition by pace.constructor_id order by races.race_start_at
        rows between {{ var('form_window_races') - 1 }} preceding and current row
    )
)

select
    entries.race_id,
    entries.season,
    entries.round,
    entries.race_start_at,
    entries.constructor_id,
    pace_history.avg_pace_deficit_pct,
    pace_history.avg_pace_deficit_s,
    pace_history.last_race_pace_deficit_pct,
    coalesce(pace_history.pace_races_in_window, 0) as pace_races_in_window,
    pace_history.race_start_at as last_input_race_start_at
from entries
-- the latest figures from strictly before this race's start
asof left join pace_history
    on pace_history.constructor_id = entries.constructor_id
    and entries.race_start_at > pace_history.race_start_at
