-- The full calendar, including rounds not yet run (has_results = false).
with races as (
    select * from {{ ref('stg_ergast__races') }}
),

sprints as (
    select distinct race_id from {{ ref('stg_ergast__sprint_results') }}
)

select
    races.race_id,
    races.season,
    races.round,
    printf('%d-%02d', races.season, races.round) as race_key,
    races.circuit_id,
    circuits.circuit_ref,
    circuits.circuit_name,
    circuits.country,
    races.race_name,
    races.race_date,
    races.race_time_utc,
    races.race_start_at,
    calendar.race_laps,
    calendar.has_results,
    calendar.has_lap_data,
    calendar.is_provisional,
    calendar.is_next_race,
    (sprints.race_id is not null or races.sprint_date is not null) as is_sprint_weekend,
    stint_limits.max_stint_laps,
    races.fp1_date,
    races.fp2_date,
    races.fp3_date,
    races.qualifying_date,
    races.qualifying_time_utc,
    races.sprint_date,
    races.sprint_time_utc,
    races.race_url
from races
inner join {{ ref('int_races') }} as calendar using (race_id)
left join {{ ref('stg_ergast__circuits') }} as circuits on circuits.circuit_id = races.circuit_id
left join sprints using (race_id)
left join {{ ref('published_stint_limits') }} as stint_limits
    on stint_limits.season = races.season and stint_limits.circuit_ref = circuits.circuit_ref
