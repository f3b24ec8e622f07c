-- Who takes part in each race, for the pre-race feature marts: the classification's entries once a race is run,
-- the qualifying entries for a race qualified but not yet run, the drivers of the race session for a provisional
-- race (timing in, classification not yet), and for the next race with none of these, the entry list of the latest
-- race run (drivers and teams as they last raced: the best pre-race guess).
with races as (
    select * from {{ ref('int_races') }}
),

result_entries as (
    select race_id, driver_id, min(constructor_id) as constructor_id, 'results' as entry_source
    from {{ ref('stg_ergast__results') }}
    group by race_id, driver_id
),

qualifying_entries as (
    select race_id, driver_id, min(constructor_id) as constructor_id, 'qualifying' as entry_source
    from {{ ref('stg_ergast__qualifying') }}
    where race_id not in (select race_id from result_entries)
    group by race_id, driver_id
),

timing_entries as (
    select drivers.race_id, drivers.driver_id, min(drivers.constructor_id) as constructor_id, 'timing' as entry_source
    from {{ ref('int_fastf1_drivers') }} as drivers
    inner join races using (race_id)
    where races.is_provisional and drivers.session_code = 'R'
      -- a driver without a team yet (no earlier result this season) waits for the classification
      and drivers.driver_id is not null and drivers.constructor_id is not null
      and drivers.race_id not in (select race_id from result_entries)
      and drivers.race_id not in (select race_id from qualifying_entries)
    group by drivers.race_id, drivers.driver_id
),

latest_run_race as (
    select race_id from races where has_results order by race_start_at desc limit 1
),

presumed_entries as (
    select next_race.race_id, entries.driver_id, entries.constructor_id, 'presumed' as entry_source
    from races as next_race
    cross join latest_run_race
    inner join result_entries as entries on entries.race_id = latest_run_race.race_id
    where next_race.is_next_race
      and next_race.race_id not in (select race_id from qualifying_entries)
),

entries as (
    select * from result_entries
    union all
    select * from qualifying_entries
    union all
    select * from timing_entries
    union all
    select * from presumed_entries
)

select
    entries.race_id,
    races.season,
    races.round,
    races.circuit_id,
    races.race_start_at,
    races.is_next_race,
    entries.driver_id,
    entries.constructor_id,
    entries.entry_source
from entries
inner join races using (race_id)
