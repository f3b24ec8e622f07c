select
    constructorResultsId::bigint as constructor_results_id,
    raceId::integer as race_id,
    constructorId::integer as constructor_id,
    points::double as points,
    status::varchar as status
from {{ source('raw', 'constructor_results') }}
