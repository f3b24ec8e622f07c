-- On-track position changes: car A (overtaking) was behind car B (overtaken) at the line at the end of lap L-1 and
-- ahead of it at the end of lap L. Pairwise, so a move past two cars is two rows. Not counted as overtakes:
--   * pit-cycle swaps: either car had an in-lap or out-lap on lap L (its pit stop, not a pass, changed the order);
--   * laps run under SC, VSC or red flag for either car (no racing; order changes come from pits and retirements);
--   * lap 1 (no lap-0 running order in the timing data) and retirements (the retired car has no lap-L row).
with laps as (
    select race_id, season, round, circuit_id, driver_id, constructor_id, lap_number, position, compound,
           tyre_life_laps, is_in_lap, is_out_lap, track_state
    from {{ ref('fct_laps') }}
    where position is not null and driver_id is not null
),

pairs as (
    select
        a_now.race_id,
        a_now.season,
        a_now.round,
        a_now.circuit_id,
        a_now.lap_number,
        a_now.driver_id as overtaking_driver_id,
        a_now.constructor_id as overtaking_constructor_id,
        b_now.driver_id as overtaken_driver_id,
        b_now.constructor_id as overtaken_constructor_id,
        a_before.position as overtaking_position_before,
        a_now.position as overtaking_position_after,
        b_before.position as overtaken_position_before,
        b_now.position as overtaken_position_after,
        a_now.compound as overtaking_compound,
        b_now.compound as overtaken_compound,
        a_now.tyre_life_laps as overtaking_tyre_life_laps,
        b_now.tyre_life_laps as overtaken_tyre_life_laps,
        a_now.track_state
    from laps as a_now
    inner join laps as b_now
        on b_now.race_id = a_now.race_id and b_now.lap_number = a_now.lap_number
        and b_now.position > a_now.position
    inner join laps as a_before
        on a_before.race_id = a_now.race_id and a_before.driver_id = a_now.driver_id
        and a_before.lap_number = a_now.lap_number - 1
    inner join laps as b_before
        on b_before.race_id = a_now.race_id and b_before.driver_id = b_now.driver_id
        and b_before.lap_number = a_now.lap_number - 1
    where a_before.position > b_before.position
      and a_now.lap_number >= 2
      and not (a_now.is_in_lap or a_now.is_out_lap or b_now.is_in_lap or b_now.is_out_lap)
      and a_now.track_state in ('green', 'yellow')
      and b_now.track_state in ('green', 'yellow')
)

select * from pairs
