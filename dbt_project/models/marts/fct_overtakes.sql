-- On-track position changes: car A (overtaking) was behind car B (overtaken) at the line at the end of lap L-1 and
-- ahead of it at the end of lap L. Pairwise, so a move past two cars is two rows. Not counted as overtakes:
--   * pit-cycle swaps: either car had an in-lap or out-lap on lap L (its pit stop, not a pass, changed the order);
--   * laps run under SC, VSC or red flag for either car (no racing; order changes come from pits and retirements);
--   * lap 1 (no lap-0 running order in the timing data) and retirements (the retired car has no lap-L row).
with laps as (
    select race_id, season, round, circuit_id, driver_id, constructor_id, lap_number, position, compound,
           tyre_life_laps, is_in_lap, is_out_lap, track_state,
           -- the position at the end of lap L-1, when that lap is in the timing data
           case when lag(lap_number) over previous = lap_number - 1 then lag(position) over previous end
               as position_before
    from {{ ref('fct_laps') }}
    where position is not null and driver_id is not null
    window previous as (partition by race_id, driver_id order by lap_number)
),

-- One self-join on (race, lap): joining lap L-1 rows separately made DuckDB build a 14 GB intermediate result.
pairs as (
    select
        a.race_id,
        a.season,
        a.round,
        a.circuit_id,
        a.lap_number,
        a.driver_id as overtaking_driver_id,
        a.constructor_id as overtaking_constructor_id,
        b.driver_id as overtaken_driver_id,
        b.constructor_id as overtaken_constructor_id,
        a.position_before as overtaking_position_before,
        a.position as overtaking_position_after,
        b.position_before as overtaken_position_before,
        b.position as overtaken_position_after,
        a.compound as overtaking_compound,
        b.compound as overtaken_compound,
        a.tyre_life_laps as overtaking_tyre_life_laps,
        b.tyre_life_laps as overtaken_tyre_life_laps,
        a.track_state
    from laps as a
    inner join laps as b
        on b.race_id = a.race_id and b.lap_number = a.lap_number and b.position > a.position
    where a.position_before > b.position_before
      and a.lap_number >= 2
      and not (a.is_in_lap or a.is_out_lap or b.is_in_lap or b.is_out_lap)
      and a.track_state in ('green', 'yellow')
      and b.track_state in ('green', 'yellow')
)

select * from pairs
