-- One row per calendar race (past and future) with what the rest of the project needs to know about it.
with races as (
    select * from {{ ref('stg_ergast__races') }}
),

results as (
    select
        race_id,
        -- Distance actually run: the winner's laps (shortened races such as Spa 2021 included as run).
        max(laps_completed) filter (where position_order = 1) as race_laps,
        count(*) as n_entries
    from {{ ref('stg_ergast__results') }}
    group by race_id
),

race_sessions as (
    select race_id, count(*) as n_laps, max(lap_number) as laps_timed
    from {{ ref('stg_fastf1__session_laps') }}
    where session_code = 'R' and race_id is not null
    group by race_id
),

last_result as (
    select max(r.race_start_at) as last_result_start_at
    from races as r
    inner join results using (race_id)
)

select
    races.race_id,
    races.season,
    races.round,
    races.circuit_id,
    races.race_name,
    races.race_date,
    races.race_time_utc,
    races.race_start_at,
    -- Timing lands hours before the classification: until then the distance is what the timing shows.
    coalesce(results.race_laps, race_sessions.laps_timed) as race_laps,
    results.race_id is not null as has_results,
    race_sessions.race_id is not null as has_lap_data,
    results.race_id is null and race_sessions.race_id is not null as is_provisional,
    -- The next race to be run: the first calendar race neither classified nor timed after the latest result.
    races.race_start_at = min(races.race_start_at) filter (
        where results.race_id is null and race_sessions.race_id is null
          and races.race_start_at > last_result.last_result_start_at
    ) over () as is_next_race
from races
cross join last_result
left join results using (race_id)
left join race_sessions using (race_id)
