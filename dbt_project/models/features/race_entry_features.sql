-- One row per driver per race (incl. the next race, whose entry list is presumed from the latest race): everything
-- known before the lights go out, plus the label. Pre-race inputs: the race's own qualifying (run before the race),
-- the championship after the previous round, driver form, constructor pace and the circuit profile (all of which
-- only read earlier races). The starting grid is known before the start but the sources publish it with the result:
-- grid_drop_places (places lost to grid penalties, from the published grid) is null for a race not yet run and only
-- a post-qualifying view with the real grid may use it; for the next race qualifying_position stands in for it.
-- label_* columns are the outcome (null for races not yet run) and must never be used as features.
with entries as (
    select * from {{ ref('int_race_entries') }}
),

previous_round as (
    -- the latest race of the same season run before this one (its standings are the pre-race championship)
    select
        target.race_id,
        previous.race_id as previous_race_id,
        previous.race_start_at as previous_race_start_at
    from {{ ref('int_races') }} as target
    asof inner join (select * from {{ ref('int_races') }} where has_results) as previous
        on previous.season = target.season and target.race_start_at > previous.race_start_at
),

driver_standings as (
    select race_id, driver_id, points, position
    from {{ ref('fct_standings') }}
    where championship = 'drivers'
),

constructor_standings as (
    select race_id, constructor_id, points, position
    from {{ ref('fct_standings') }}
    where championship = 'constructors'
),

circuit_results as (
    select results.driver_id, races.circuit_id, results.position_order, races.race_start_at
    from {{ ref('int_driver_race_results') }} as results
    inner join {{ ref('int_races') }} as races using (race_id)
),

assembled as (
    select
        entries.race_id,
        entries.season,
        entries.round,
        entries.circuit_id,
        entries.race_start_at,
        entries.is_next_race,
        entries.driver_id,
        entries.constructor_id,
        qualifying.qualifying_position,
        qualifying.gap_to_pole_pct as quali_gap_to_pole_pct,
        teammate.gap_to_teammate_pct as quali_gap_to_teammate_pct,
        -- a pit-lane start (grid 0) counts as the back of the field; no published grid (a race not run yet): null
        case when results_grid.grid = 0 then count(*) over (partition by entries.race_id) else results_grid.grid end
            - qualifying.qualifying_position as grid_drop_places,
        coalesce(driver_standings.points, 0) as championship_points_before,
        driver_standings.position as championship_position_before,
        coalesce(constructor_standings.points, 0) as constructor_points_before,
        constructor_standings.position as constructor_position_before,
        form.races_in_window as form_races_in_window,
        form.avg_finish_position as form_avg_finish_position,
        form.avg_points as form_avg_points,
        form.dnf_rate as form_dnf_rate,
        form.avg_quali_gap_to_teammate_pct as form_avg_quali_gap_to_teammate_pct,
        form.career_races_before,
        pace.avg_pace_deficit_pct as constructor_avg_pace_deficit_pct,
        pace.last_race_pace_deficit_pct as constructor_last_race_pace_deficit_pct,
        recency.ew_finish_position as form_ew_finish_position,
        recency.ew_points as form_ew_points,
        recency.ew_finish_vs_teammates as form_ew_finish_vs_teammates,
        recency.incident_dnf_rate as driver_incident_dnf_rate,
        recency.mechanical_dnf_rate as constructor_mechanical_dnf_rate,
        recency.ew_pace_deficit_pct as constructor_ew_pace_deficit_pct,
        recency.pace_trend_pct as constructor_pace_trend_pct,
        circuit.overtaking_difficulty_index as circuit_overtaking_difficulty_index,
        circuit.sc_per_race as circuit_sc_per_race,
        circuit.pit_loss_green_s as circuit_pit_loss_green_s,
        previous_at_circuit.position_order as previous_finish_at_circuit,
        results.position_order as label_finish_position,
        results.is_classified as label_is_classified,
        results.points as label_points,
        -- the newest race this row read anything from (the race's own qualifying is not a race)
        greatest(
            form.last_input_race_start_at,
            pace.last_input_race_start_at,
            recency.last_input_race_start_at,
            circuit.last_input_race_start_at,
            previous_round.previous_race_start_at,
            previous_at_circuit.race_start_at
        ) as last_input_race_start_at
    from entries
    left join {{ ref('fct_qualifying') }} as qualifying using (race_id, driver_id)
    left join {{ ref('int_qualifying_teammate_gaps') }} as teammate using (race_id, driver_id)
    left join previous_round using (race_id)
    left join driver_standings
        on driver_standings.race_id = previous_round.previous_race_id
        and driver_standings.driver_id = entries.driver_id
    left join constructor_standings
        on constructor_standings.race_id = previous_round.previous_race_id
        and constructor_standings.constructor_id = entries.constructor_id
    left join {{ ref('driver_form') }} as form using (race_id, driver_id)
    left join {{ ref('constructor_pace') }} as pace
        on pace.race_id = entries.race_id and pace.constructor_id = entries.constructor_id
    left join {{ ref('circuit_profile') }} as circuit using (race_id)
    left join {{ ref('recency_form') }} as recency using (race_id, driver_id)
    left join (select race_id, driver_id, min(grid) as grid from {{ ref('fct_results') }} group by race_id, driver_id)
        as results_grid using (race_id, driver_id)
    left join {{ ref('int_driver_race_results') }} as results using (race_id, driver_id)
    asof left join circuit_results as previous_at_circuit
        on previous_at_circuit.driver_id = entries.driver_id
        and previous_at_circuit.circuit_id = entries.circuit_id
        and entries.race_start_at > previous_at_circuit.race_start_at
)

select * from assembled
