-- Both championships after each race, stacked: championship = 'drivers' (driver_id set; constructor_id = the
-- driver's team in that race) or 'constructors' (driver_id null).
with drivers as (
    select
        standings.race_id,
        'drivers' as championship,
        standings.driver_id,
        results.constructor_id,
        standings.points,
        standings.position,
        standings.position_text,
        standings.wins
    from {{ ref('stg_ergast__driver_standings') }} as standings
    left join (
        -- a driver has one team per race (min() keeps the odd 1950s shared drive deterministic)
        select race_id, driver_id, min(constructor_id) as constructor_id
        from {{ ref('stg_ergast__results') }}
        group by race_id, driver_id
    ) as results using (race_id, driver_id)
),

constructors as (
    select
        race_id,
        'constructors' as championship,
        null::integer as driver_id,
        constructor_id,
        points,
        position,
        position_text,
        wins
    from {{ ref('stg_ergast__constructor_standings') }}
),

standings as (
    select * from drivers
    union all
    select * from constructors
)

select
    standings.championship || ':' || standings.race_id || ':'
        || coalesce(standings.driver_id, standings.constructor_id) as standing_key,
    standings.race_id,
    races.season,
    races.round,
    standings.championship,
    standings.driver_id,
    standings.constructor_id,
    standings.points,
    standings.position,
    standings.position_text,
    standings.wins
from standings
inner join {{ ref('stg_ergast__races') }} as races using (race_id)
