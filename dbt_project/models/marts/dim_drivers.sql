with drivers as (
    select * from {{ ref('stg_ergast__drivers') }}
),

careers as (
    select
        results.driver_id,
        min(races.season) as first_season,
        max(races.season) as last_season,
        count(*) as race_entries,
        count(*) filter (where results.position = 1) as wins
    from {{ ref('stg_ergast__results') }} as results
    inner join {{ ref('stg_ergast__races') }} as races using (race_id)
    group by results.driver_id
)

select
    drivers.driver_id,
    drivers.driver_ref,
    drivers.driver_code,
    drivers.permanent_number,
    drivers.forename,
    drivers.surname,
    drivers.full_name,
    drivers.date_of_birth,
    drivers.nationality,
    careers.first_season,
    careers.last_season,
    coalesce(careers.race_entries, 0) as race_entries,
    coalesce(careers.wins, 0) as wins,
    drivers.driver_url
from drivers
left join careers using (driver_id)
