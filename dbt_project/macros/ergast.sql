{#- Grand Prix and sprint classifications share Ergast's layout: one staging query for both. -#}
{% macro ergast_classification(table) -%}
-- `position` is null for unclassified cars (position_text R retired, D disqualified, E excluded, W withdrawn,
-- F failed to qualify, N not classified); position_order ranks every entry. grid 0 = started from the pit lane.
select
    resultId::bigint as result_id,
    raceId::integer as race_id,
    driverId::integer as driver_id,
    constructorId::integer as constructor_id,
    number::integer as car_number,
    grid::integer as grid,
    position::integer as position,
    positionText::varchar as position_text,
    positionOrder::integer as position_order,
    points::double as points,
    laps::integer as laps_completed,
    time::varchar as race_time_text,
    milliseconds::bigint as race_time_ms,
    fastestLap::integer as fastest_lap_number,
    rank::integer as fastest_lap_rank,
    {{ ergast_time_to_s('fastestLapTime') }} as fastest_lap_time_s,
    {%- if table == 'results' %}
    fastestLapSpeed::double as fastest_lap_speed_kph,
    {%- else %}
    null::double as fastest_lap_speed_kph,
    {%- endif %}
    statusId::integer as status_id,
    -- outcome flags: classified = has a finishing position; DNF = retired or not classified after starting;
    -- disqualified/excluded cars are neither
    position is not null as is_classified,
    coalesce(positionText in ('R', 'N'), false) as is_dnf,
    coalesce(positionText in ('D', 'E'), false) as is_disqualified
from {{ source('raw', table) }}
{%- endmacro %}
