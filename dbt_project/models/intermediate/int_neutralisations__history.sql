-- The archive's SC / VSC / red-flag history (keyed by race name) mapped to race_id, in the common lap convention:
-- start_lap = first lap affected, end_lap = last lap run neutralised.
--   SC:  Retreated is the first racing lap after the SC came in, so end_lap = Retreated - 1 (race_laps if the race
--        finished behind it).
--   VSC: FullLaps counts Deployed..Retreated inclusive, so end_lap = Retreated. (This source counts laps completed
--        and is usually a lap earlier than the FastF1 timing.)
--   RED: the lap the race was stopped on.
with races as (
    select race_id, season, race_name, (season || ' ' || race_name) as history_race_name
    from {{ ref('stg_ergast__races') }}
),

aliases as (
    select history_race_name, (season || ' ' || race_name) as calendar_race_name
    from {{ ref('race_name_aliases') }}
),

history as (
    select history_race_name, season, 'SC' as kind, deployed_lap, retreated_lap - 1 as last_lap, retreated_lap,
           cause, null::varchar as red_flag_resumed_code
    from {{ ref('stg_ergast__safety_cars') }}
    union all
    select history_race_name, season, 'VSC', deployed_lap, retreated_lap, retreated_lap, null, null
    from {{ ref('stg_ergast__virtual_safety_cars') }}
    union all
    select history_race_name, season, 'RED', lap, lap, lap, incident, resumed_code
    from {{ ref('stg_ergast__red_flags') }}
)

select
    races.race_id,
    history.history_race_name,
    history.season,
    history.kind,
    greatest(history.deployed_lap, 1) as start_lap,
    -- null = finished under the SC: the mart closes it at the race's last lap
    case when history.last_lap is not null then greatest(history.last_lap, history.deployed_lap, 1) end as end_lap,
    history.cause,
    history.red_flag_resumed_code
from history
left join aliases on aliases.history_race_name = history.history_race_name
left join races on races.history_race_name = coalesce(aliases.calendar_race_name, history.history_race_name)
