-- Maps FastF1's drivers (car number, 3-letter code) to Ergast ids per race weekend session: on (race, car number)
-- through the Grand Prix results first, then on the code for weekends without a results row. Codes are reused
-- across eras (MSC, VER, MAG...), so a code resolves to the holder who raced earlier in that season (up to this
-- race, never later ones), else the latest holder.
with session_drivers as (
    select distinct race_id, season, session_code, driver_number, driver_code
    from {{ ref('stg_fastf1__session_laps') }}
    where race_id is not null
),

results as (
    select race_id, car_number, driver_id, constructor_id
    from {{ ref('stg_ergast__results') }}
),

races as (
    select race_id, season, race_start_at from {{ ref('stg_ergast__races') }}
),

season_results as (
    select races.season, races.race_start_at, results.driver_id, results.constructor_id
    from {{ ref('stg_ergast__results') }} as results
    inner join races using (race_id)
),

code_candidates as (
    select
        session_drivers.race_id,
        session_drivers.session_code,
        session_drivers.driver_number,
        drivers.driver_id,
        exists (
            select 1 from season_results
            where season_results.driver_id = drivers.driver_id
              and season_results.season = session_races.season
              and season_results.race_start_at <= session_races.race_start_at
        ) as raced_this_season
    from session_drivers
    inner join races as session_races using (race_id)
    inner join {{ ref('stg_ergast__drivers') }} as drivers on drivers.driver_code = session_drivers.driver_code
),

code_holders as (
    select
        *,
        row_number() over (
            partition by race_id, session_code, driver_number
            order by raced_this_season desc, driver_id desc
        ) as preference
    from code_candidates
)

select
    session_drivers.race_id,
    session_drivers.season,
    session_drivers.session_code,
    session_drivers.driver_number,
    session_drivers.driver_code,
    coalesce(by_number.driver_id, by_code.driver_id) as driver_id,
    coalesce(by_number.constructor_id, code_result.constructor_id, (
        -- a provisional weekend (timing before the classification): the driver's team in his latest result
        select arg_max(earlier.constructor_id, earlier.race_start_at) from season_results as earlier
        where earlier.driver_id = by_code.driver_id and earlier.season = session_drivers.season
          and earlier.race_start_at < weekend.race_start_at
    )) as constructor_id,
    case
        when by_number.driver_id is not null then 'car_number'
        when by_code.driver_id is not null then 'driver_code'
    end as matched_on
from session_drivers
inner join races as weekend using (race_id)
left join results as by_number
    on by_number.race_id = session_drivers.race_id and by_number.car_number = session_drivers.driver_number
left join code_holders as by_code
    on by_code.race_id = session_drivers.race_id
    and by_code.session_code = session_drivers.session_code
    and by_code.driver_number = session_drivers.driver_number
    and by_code.preference = 1
left join results as code_result
    on code_result.race_id = session_drivers.race_id and code_result.driver_id = by_code.driver_id
