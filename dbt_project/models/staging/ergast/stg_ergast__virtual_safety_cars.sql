-- VSC history (from 2015), keyed by race name. Deployed..Retreated are both counted in FullLaps
-- (FullLaps = Retreated - Deployed + 1).
select
    Race::varchar as history_race_name,
    season::integer as season,
    Deployed::integer as deployed_lap,
    Retreated::integer as retreated_lap,
    FullLaps::integer as full_laps
from {{ source('raw', 'virtual_safety_cars') }}
