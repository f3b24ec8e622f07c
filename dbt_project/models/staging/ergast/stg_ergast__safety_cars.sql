-- SC history, keyed by race name ('2024 Qatar Grand Prix'). Deployed = lap the SC came out on; Retreated = the first
-- racing lap after it came in (null when the race finished behind it); FullLaps = laps run entirely behind it.
select
    Race::varchar as history_race_name,
    season::integer as season,
    Cause::varchar as cause,
    Deployed::integer as deployed_lap,
    Retreated::integer as retreated_lap,
    FullLaps::integer as full_laps
from {{ source('raw', 'safety_cars') }}
