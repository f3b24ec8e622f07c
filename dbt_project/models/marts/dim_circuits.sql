with circuits as (
    select * from {{ ref('stg_ergast__circuits') }}
),

calendar as (
    select
        circuit_id,
        min(season) as first_season,
        max(season) as last_season,
        count(*) filter (where has_results) as races_held,
        count(*) filter (where not has_results) as races_scheduled
    from {{ ref('int_races') }}
    group by circuit_id
)

select
    circuits.circuit_id,
    circuits.circuit_ref,
    circuits.circuit_name,
    circuits.locality,
    circuits.country,
    circuits.latitude_deg,
    circuits.longitude_deg,
    circuits.altitude_m,
    calendar.first_season,
    calendar.last_season,
    coalesce(calendar.races_held, 0) as races_held,
    coalesce(calendar.races_scheduled, 0) as races_scheduled,
    street.circuit_ref is not null as is_street_circuit,
    circuits.circuit_url
from circuits
left join calendar using (circuit_id)
left join {{ ref('street_circuits') }} as street using (circuit_ref)
