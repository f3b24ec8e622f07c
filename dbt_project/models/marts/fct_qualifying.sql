-- One row per qualifying entry. best_time_s = the driver's fastest time of any part; the gap to pole compares it to
-- the fastest time of the session (pole may come from Q3 while a Q1 exit's best is from Q1: track evolution
-- included, which is what the grid reflects).
with qualifying as (
    select * from {{ ref('stg_ergast__qualifying') }}
),

best as (
    select *, least(q1_time_s, q2_time_s, q3_time_s) as best_time_s
    from qualifying
)

select
    best.qualify_id,
    best.race_id,
    races.season,
    races.round,
    races.circuit_id,
    best.driver_id,
    best.constructor_id,
    best.car_number,
    best.qualifying_position,
    best.q1_time_s,
    best.q2_time_s,
    best.q3_time_s,
    best.best_time_s,
    best.best_time_s - min(best.best_time_s) over (partition by best.race_id) as gap_to_pole_s,
    100.0 * (best.best_time_s / min(best.best_time_s) over (partition by best.race_id) - 1.0) as gap_to_pole_pct,
    case when best.q3_time_s is not null then 'Q3' when best.q2_time_s is not null then 'Q2'
         when best.q1_time_s is not null then 'Q1' end as last_session_reached
from best
inner join {{ ref('stg_ergast__races') }} as races using (race_id)
