-- Red-flag history, keyed by race name. Resumed: Y resumed, N not resumed, R restarted (new start), S resumed behind
-- the safety car (codes as in the Kaggle "race events" data).
select
    Race::varchar as history_race_name,
    season::integer as season,
    Lap::integer as lap,
    Resumed::varchar as resumed_code,
    Incident::varchar as incident,
    Excluded::varchar as excluded_drivers
from {{ source('raw', 'red_flags') }}
