select
    constructorStandingsId::bigint as constructor_standings_id,
    raceId::integer as race_id,
    constructorId::integer as constructor_id,
    points::double as points,
    position::integer as position,
    positionText::varchar as position_text,
    wins::integer as wins
from {{ source('raw', 'constructor_standings') }}
