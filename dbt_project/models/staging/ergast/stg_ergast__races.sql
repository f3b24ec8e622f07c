-- Session times are UTC ('HH:MM:SS'); races from 2025 on have no session dates in the archive.
select
    raceId::integer as race_id,
    year::integer as season,
    round::integer as round,
    circuitId::integer as circuit_id,
    name::varchar as race_name,
    date::date as race_date,
    try_cast(time as time) as race_time_utc,
    -- The lights-out instant every point-in-time feature is cut at; midnight UTC when the start time is unknown
    -- (only old races), which still orders races correctly because no two races share a date.
    (date::date + coalesce(try_cast(time as time), time '00:00:00'))::timestamp as race_start_at,
    url::varchar as race_url,
    fp1_date::date as fp1_date,
    try_cast(fp1_time as time) as fp1_time_utc,
    fp2_date::date as fp2_date,
    try_cast(fp2_time as time) as fp2_time_utc,
    fp3_date::date as fp3_date,
    try_cast(fp3_time as time) as fp3_time_utc,
    quali_date::date as qualifying_date,
    try_cast(quali_time as time) as qualifying_time_utc,
    sprint_date::date as sprint_date,
    try_cast(sprint_time as time) as sprint_time_utc
from {{ source('raw', 'races') }}
