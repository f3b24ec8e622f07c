select
    driverStandingsId::bigint as driver_standings_id,
    raceId::integer as race_id,
    driverId::integer as driver_id,
    points::double as points,
    position::integer as position,
    positionText::varchar as position_text,
    wins::integer as wins
from {{ source('raw', 'driver_standings') }}
