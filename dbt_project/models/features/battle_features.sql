-- Battles: a car within battle_gap_s of the car directly ahead at the line at the end of a lap (same lap, adjacent
-- positions, neither pitting on that lap, racing conditions). Features use that lap and earlier ones only; the label
-- says whether the follower passed that car on track (fct_overtakes) within the next battle_horizon_laps laps.
-- Context: the pre-race strength of the two cars relative to each other (qualifying, constructor pace), the traffic
-- around the pair at the line (a car ahead in a DRS train defends better), top speed, the trend of the pace
-- difference, how long the pair has been within the DRS gap and since each car's last pit stop.
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
    -- each car's mean lap time and speed-trap speed over its last three laps up to and including lap L, the mean
    -- lap time over the three laps before those, and laps since it left the pit lane (or since the start)
    select race_id, driver_id, lap_number,
           avg(lap_time_s) over last3 as last3_avg_lap_time_s,
           avg(lap_time_s) over previous3 as previous3_avg_lap_time_s,
           avg(speed_trap_st_kph) over last3 as last3_speed_trap_kph,
           lap_number - coalesce(max(lap_number) filter (where is_out_lap) over so_far, 1) as laps_since_pit
    from laps
    window
        last3 as (partition by race_id, driver_id order by lap_number rows between 2 preceding and current row),
        previous3 as (partition by race_id, driver_id order by lap_number rows between 5 preceding and 3 preceding),
        so_far as (partition by race_id, driver_id order by lap_number
                   rows between unbounded preceding and current row)
),

running_order as (
    select race_id, lap_number, position, lap_end_session_time_s
    from laps
    qualify row_number() over (partition by race_id, lap_number, position order by lap_end_session_time_s) = 1
),

pair_history as (
    -- every lap both cars of a battling pair completed: of the last 5 laps up to L, laps within the DRS gap; laps
    -- within the battle gap since the start
    select
        own.race_id,
        own.lap_number,
        own.driver_id,
        ahead.driver_id as ahead_driver_id,
        own.lap_end_session_time_s - ahead.lap_end_session_time_s as gap_s,
        count(*) filter (where own.lap_end_session_time_s - ahead.lap_end_session_time_s between 0 and 1.0) over (
            partition by own.race_id, own.driver_id, ahead.driver_id order by own.lap_number
            range between 4 preceding and current row) as laps_within_drs_gap_last5,
        count(*) filter (where own.lap_end_session_time_s - ahead.lap_end_session_time_s
                         between 0 and {{ var('battle_gap_s') }}) over (
            partition by own.race_id, own.driver_id, ahead.driver_id order by own.lap_number
            rows between unbounded preceding and current row) as laps_in_battle_so_far
    from (select distinct race_id, driver_id, ahead_driver_id from battles) as pair
    inner join laps as own on own.race_id = pair.race_id and own.driver_id = pair.driver_id
    inner join laps as ahead
        on ahead.race_id = pair.race_id and ahead.driver_id = pair.ahead_driver_id
        and ahead.lap_number = own.lap_number
),

pre_race as (
    select race_id, driver_id, constructor_id, qualifying_position, quali_gap_to_pole_pct,
           constructor_avg_pace_deficit_pct
    from {{ ref('race_entry_features') }}
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
    (ahead_pace.last3_avg_lap_time_s - own_pace.last3_avg_lap_time_s)
        - (ahead_pace.previous3_avg_lap_time_s - own_pace.previous3_avg_lap_time_s) as pace_advantage_trend_s,
    own_pace.last3_speed_trap_kph - ahead_pace.last3_speed_trap_kph as speed_trap_advantage_kph,
    battles.gap_s - three_laps_before.gap_s as gap_change_3_laps_s,
    history.laps_within_drs_gap_last5,
    history.laps_in_battle_so_far,
    ahead_race_pace.driver_race_pace_s - own_race_pace.driver_race_pace_s as race_pace_advantage_s,
    own_pace.laps_since_pit,
    ahead_pace.laps_since_pit as ahead_laps_since_pit,
    own_entry.constructor_id = ahead_entry.constructor_id as is_teammate_ahead,
    own_entry.constructor_avg_pace_deficit_pct - ahead_entry.constructor_avg_pace_deficit_pct
        as car_pace_deficit_vs_ahead_pct,
    own_entry.qualifying_position - ahead_entry.qualifying_position as quali_positions_behind_ahead,
    own_entry.quali_gap_to_pole_pct - ahead_entry.quali_gap_to_pole_pct as quali_gap_vs_ahead_pct,
    follower_line.lap_end_session_time_s - battles.gap_s - front_line.lap_end_session_time_s as ahead_gap_to_front_s,
    behind_line.lap_end_session_time_s - follower_line.lap_end_session_time_s as gap_to_car_behind_s,
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
    {{ var('battle_horizon_laps') }} as horizon_laps,
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
left join pair_history as history
    on history.race_id = battles.race_id and history.lap_number = battles.lap_number
    and history.driver_id = battles.driver_id and history.ahead_driver_id = battles.ahead_driver_id
left join pair_history as three_laps_before
    on three_laps_before.race_id = battles.race_id and three_laps_before.lap_number = battles.lap_number - 3
    and three_laps_before.driver_id = battles.driver_id and three_laps_before.ahead_driver_id = battles.ahead_driver_id
left join {{ ref('lap_pace_features') }} as own_race_pace
    on own_race_pace.race_id = battles.race_id and own_race_pace.driver_id = battles.driver_id
    and own_race_pace.lap_number = battles.lap_number
left join {{ ref('lap_pace_features') }} as ahead_race_pace
    on ahead_race_pace.race_id = battles.race_id and ahead_race_pace.driver_id = battles.ahead_driver_id
    and ahead_race_pace.lap_number = battles.lap_number
left join pre_race as own_entry on own_entry.race_id = battles.race_id and own_entry.driver_id = battles.driver_id
left join pre_race as ahead_entry
    on ahead_entry.race_id = battles.race_id and ahead_entry.driver_id = battles.ahead_driver_id
left join running_order as follower_line
    on follower_line.race_id = battles.race_id and follower_line.lap_number = battles.lap_number
    and follower_line.position = battles.position
left join running_order as front_line
    on front_line.race_id = battles.race_id and front_line.lap_number = battles.lap_number
    and front_line.position = battles.position - 2
left join running_order as behind_line
    on behind_line.race_id = battles.race_id and behind_line.lap_number = battles.lap_number
    and behind_line.position = battles.position + 1
left join compound_softness as own_softness on own_softness.compound = battles.compound
left join compound_softness as ahead_softness on ahead_softness.compound = battles.ahead_compound
left join {{ ref('circuit_profile') }} as profile on profile.race_id = battles.race_id
