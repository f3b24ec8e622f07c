-- Qualifying gap to the team-mate per race: compared in the last part of qualifying both drivers set a time in
-- (Q3 if both reached it, else Q2, else Q1), so track evolution between parts does not count against anyone.
-- With more than one team-mate (old eras) the fastest of them is the reference. Gaps beyond +/-10 % are not a
-- comparison of pace (timing errors in the old data, a session turned wet, an aborted lap) and are left out.
with times as (
    select race_id, driver_id, constructor_id, q1_time_s, q2_time_s, q3_time_s
    from {{ ref('stg_ergast__qualifying') }}
),

pairs as (
    select
        driver.race_id,
        driver.driver_id,
        driver.constructor_id,
        mate.driver_id as teammate_driver_id,
        case
            when driver.q3_time_s is not null and mate.q3_time_s is not null then 'Q3'
            when driver.q2_time_s is not null and mate.q2_time_s is not null then 'Q2'
            when driver.q1_time_s is not null and mate.q1_time_s is not null then 'Q1'
        end as compared_in,
        case
            when driver.q3_time_s is not null and mate.q3_time_s is not null then driver.q3_time_s / mate.q3_time_s
            when driver.q2_time_s is not null and mate.q2_time_s is not null then driver.q2_time_s / mate.q2_time_s
            when driver.q1_time_s is not null and mate.q1_time_s is not null then driver.q1_time_s / mate.q1_time_s
        end as time_ratio
    from times as driver
    inner join times as mate
        on mate.race_id = driver.race_id and mate.constructor_id = driver.constructor_id
        and mate.driver_id <> driver.driver_id
)

select
    race_id,
    driver_id,
    constructor_id,
    arg_max(teammate_driver_id, time_ratio) as teammate_driver_id,
    arg_max(compared_in, time_ratio) as compared_in,
    -- positive = slower than the team-mate; the fastest team-mate is the one giving the largest ratio
    100.0 * (max(time_ratio) - 1.0) as gap_to_teammate_pct
from pairs
where time_ratio is not null
group by race_id, driver_id, constructor_id
having abs(max(time_ratio) - 1.0) <= 0.10
