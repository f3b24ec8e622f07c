{#- Grand Prix and sprint result facts are the same shape: one macro so they cannot drift apart. -#}
{% macro classification_fact(staging_model) -%}
-- One row per car entered (outcome flags defined in staging: is_classified, is_dnf = R/N, is_disqualified = D/E).
with results as (
    select * from {{ ref(staging_model) }}
)

select
    results.result_id,
    results.race_id,
    races.season,
    races.round,
    races.circuit_id,
    results.driver_id,
    results.constructor_id,
    results.car_number,
    results.grid,
    results.grid = 0 as started_from_pit_lane,
    results.position,
    results.position_text,
    results.position_order,
    results.points,
    results.laps_completed,
    results.race_time_ms,
    results.race_time_text,
    results.fastest_lap_number,
    results.fastest_lap_rank,
    results.fastest_lap_time_s,
    results.fastest_lap_speed_kph,
    results.status_id,
    status.status,
    results.is_classified,
    results.is_dnf,
    results.is_disqualified,
    case when results.grid > 0 and results.position is not null then results.grid - results.position end
        as positions_gained
from results
inner join {{ ref('stg_ergast__races') }} as races using (race_id)
left join {{ ref('stg_ergast__status') }} as status using (status_id)
{%- endmacro %}
