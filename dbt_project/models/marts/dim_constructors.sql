with constructors as (
    select * from {{ ref('stg_ergast__constructors') }}
),

history as (
    select
        results.constructor_id,
        min(races.season) as first_season,
        max(races.season) as last_season,
        count(distinct results.race_id) as races_entered,
        count(*) filter (where results.position = 1) as wins
    from {{ ref('stg_ergast__results') }} as results
    inner join {{ ref('stg_ergast__races') }} as races using (race_id)
    group by results.constructor_id
)

select
    constructors.constructor_id,
    constructors.constructor_ref,
    constructors.constructor_name,
    constructors.nationality,
    history.first_season,
    history.last_season,
    coalesce(history.races_entered, 0) as races_entered,
    coalesce(history.wins, 0) as wins,
    constructors.constructor_url
from constructors
left join history using (constructor_id)
