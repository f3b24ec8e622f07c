select
    circuitId::integer as circuit_id,
    circuitRef::varchar as circuit_ref,
    name::varchar as circuit_name,
    location::varchar as locality,
    country::varchar as country,
    lat::double as latitude_deg,
    lng::double as longitude_deg,
    alt::integer as altitude_m,
    url::varchar as circuit_url
from {{ source('raw', 'circuits') }}
