-- Battles: a car within battle_gap_s of the car directly ahead at the line at the end of a lap (same lap, adjacent
-- positions, neither pitting on that lap, racing conditions). Features use that lap and earlier ones only; the label
-- says whether the follower passed that car on track (fct_overtakes) within the next battle_horizon_laps laps.
with laps as (
    select * from {{ ref('fct_laps') }}
    where position is not null
),

pairs as (
    select
        follower.race_id,
        follower.season,
        follower.round,
        follower.circuit_id,
        follower.lap_number,
        follower.driver_id,
        ahead.driver_id as ahead_driver_id,
        follower.position,
        follower.lap_end_session_time_s - ahead.lap_end_session_time_s as gap_s,
        follower.compound,
        ahead.compound as ahead_compound,
        follower.tyre_life_laps,
        ahead.tyre_life_laps as ahead_tyre_life_laps,
        follower.race_laps
    from laps as follower
    inner join laps as ahead
        on ahead.race_id = follower.race_id and ahead.lap_number = follower.lap_number
        and ahead.position = follower.position - 1
    where not (follower.is_in_lap or follower.is_out_lap or ahead.is_in_lap or ahead.is_out_lap)
      and follower.track_state in ('green', 'yellow')
      and ahead.track_state in ('green', 'yellow')
),

battles as (
    select * from pairs
    where gap_s > 0 and gap_s <= {{ var('battle_gap_s') }}
),

recent_pace as (
    -- each car's mean lap time over its last three laps up to and including lap L
    select race_id, driver_id, lap_number,
           avg(lap_time_s) over (partition by race_id, driver_id order by lap_number
                                 rows between 2 preceding and current row) as last3_avg_lap_time_s
    from laps
),

overtakes as (
    select race_id, lap_number, overtaking_driver_id, overtaken_driver_id
    from {{ ref('fct_overtakes') }}
),

compound_softness as (
    select * from (values ('SOFT', 1), ('MEDIUM', 2), ('HARD', 3), ('INTERMEDIATE', 4), ('WET', 5))
        as t (compound, softness)
)

select
    battles.race_id,
    battles.season,
    battles.round,
    battles.circuit_id,
    battles.lap_number,
    battles.driver_id,
    battles.ahead_driver_id,
    battles.position,
    battles.gap_s,
    battles.gap_s - previous.gap_s as gap_change_s,
    battles.gap_s <= 1.0 and battles.lap_number >= 3 as within_drs_gap,
    battles.compound,
    battles.ahead_compound,
    battles.tyre_life_laps,
    battles.ahead_tyre_life_laps,
    battles.ahead_tyre_life_laps - battles.tyre_life_laps as tyre_age_advantage_laps,
    ahead_softness.softness - own_softness.softness as compound_softness_advantage,
    ahead_pace.last3_avg_lap_time_s - own_pace.last3_avg_lap_time_s as pace_advantage_last3_s,
    battles.race_laps - battles.lap_number as laps_remaining,
    profile.overtaking_difficulty_index as circuit_overtaking_difficulty_index,
    exists (
        select 1 from overtakes
        where overtakes.race_id = battles.race_id
          and overtakes.overtaking_driver_id = battles.driver_id
          and overtakes.overtaken_driver_id = battles.ahead_driver_id
          and overtakes.lap_number between battles.lap_number + 1
                                       and battles.lap_number + {{ var('battle_horizon_laps') }}
    ) as label_overtake_within_horizon,
    battles.lap_number + {{ var('battle_horizon_laps') }} <= battles.race_laps as label_horizon_complete
from battles
left join pairs as previous
    on previous.race_id = battles.race_id and previous.lap_number = battles.lap_number - 1
    and previous.driver_id = battles.driver_id and previous.ahead_driver_id = battles.ahead_driver_id
left join recent_pace as own_pace
    on own_pace.race_id = battles.race_id and own_pace.driver_id = battles.driver_id
    and own_pace.lap_number = battles.lap_number
left join recent_pace as ahead_pace
    on ahead_pace.race_id = battles.race_id and ahead_pace.driver_id = battles.ahead_driver_id
    and ahead_pace.lap_number = battles.lap_number
left join compound_softness as own_softness on own_softness.compound = battles.compound
left join compound_softness as ahead_softness on ahead_softness.compound = battles.ahead_compound
left join {{ ref('circuit_profile') }} as profile on profile.race_id = battles.race_id
