-- What is known about a race's circuit before the race starts, from its last circuit_window_editions editions held
-- there (one row per calendar race, future rounds included, so the simulator can profile the next race).
with calendar as (
    select * from {{ ref('int_races') }}
),

editions as (
    select
        target.race_id,
        edition.race_id as edition_race_id,
        edition.season as edition_season,
        edition.race_start_at as edition_start_at,
        edition.race_laps as edition_race_laps,
        row_number() over (partition by target.race_id order by edition.race_start_at desc) as recency
    from calendar as target
    inner join calendar as edition
        on edition.circuit_id = target.circuit_id
        and edition.race_start_at < target.race_start_at
        and edition.has_results
    qualify recency <= {{ var('circuit_window_editions') }}
),

neutralisations as (
    select
        race_id,
        count(*) filter (where kind = 'SC') as sc_periods,
        count(*) filter (where kind = 'VSC') as vsc_periods,
        count(*) filter (where kind = 'RED') as red_flags
    from {{ ref('int_neutralisation_periods') }}
    group by race_id
),

edition_stats as (
    select
        editions.race_id,
        count(*) as editions_in_window,
        max(editions.edition_start_at) as last_input_race_start_at,
        arg_max(editions.edition_race_laps, editions.edition_start_at) as race_laps,
        avg(overtaking.grid_finish_rank_corr) as overtaking_difficulty_index,
        avg(overtaking.on_track_overtakes) as on_track_overtakes_per_race,
        count(overtaking.on_track_overtakes) as editions_with_lap_data,
        avg(coalesce(neutralisations.sc_periods, 0)) as sc_per_race,
        avg((coalesce(neutralisations.sc_periods, 0) > 0)::integer) as sc_race_share,
        -- the VSC exists since 2015: earlier editions say nothing about it
        avg(coalesce(neutralisations.vsc_periods, 0)) filter (where editions.edition_season >= {{ var('first_vsc_season') }})
            as vsc_per_race,
        avg((coalesce(neutralisations.red_flags, 0) > 0)::integer) as red_flag_race_share
    from editions
    left join {{ ref('int_race_overtaking') }} as overtaking on overtaking.race_id = editions.edition_race_id
    left join neutralisations on neutralisations.race_id = editions.edition_race_id
    group by editions.race_id
),

pit_stats as (
    select
        editions.race_id,
        median(stops.pit_lane_loss_s) filter (where stops.track_status_at_stop = 'green') as pit_loss_green_s,
        median(stops.pit_lane_loss_s) filter (where stops.track_status_at_stop = 'vsc') as pit_loss_vsc_s,
        median(stops.pit_lane_loss_s) filter (where stops.track_status_at_stop = 'sc') as pit_loss_sc_s,
        count(stops.pit_lane_loss_s) filter (where stops.track_status_at_stop = 'green') as green_stops_measured,
        count(stops.pit_lane_loss_s) filter (where stops.track_status_at_stop = 'vsc') as vsc_stops_measured,
        count(stops.pit_lane_loss_s) filter (where stops.track_status_at_stop = 'sc') as sc_stops_measured
    from editions
    inner join {{ ref('fct_pit_stops') }} as stops on stops.race_id = editions.edition_race_id
    group by editions.race_id
),

degradation as (
    select
        editions.race_id,
        {{ within_stint_slope('laps.x_dm', 'laps.y_dm', where="laps.compound = 'SOFT'") }} as deg_soft_s_per_lap,
        {{ within_stint_slope('laps.x_dm', 'laps.y_dm', where="laps.compound = 'MEDIUM'") }} as deg_medium_s_per_lap,
        {{ within_stint_slope('laps.x_dm', 'laps.y_dm', where="laps.compound = 'HARD'") }} as deg_hard_s_per_lap
    from editions
    inner join {{ ref('int_clean_laps') }} as laps on laps.race_id = editions.edition_race_id
    group by editions.race_id
)

select
    calendar.race_id,
    calendar.season,
    calendar.round,
    calendar.circuit_id,
    calendar.race_start_at,
    coalesce(edition_stats.editions_in_window, 0) as editions_in_window,
    coalesce(edition_stats.editions_with_lap_data, 0) as editions_with_lap_data,
    edition_stats.race_laps,
    edition_stats.overtaking_difficulty_index,
    edition_stats.on_track_overtakes_per_race,
    pit_stats.pit_loss_green_s,
    pit_stats.pit_loss_vsc_s,
    pit_stats.pit_loss_sc_s,
    coalesce(pit_stats.green_stops_measured, 0) as green_stops_measured,
    coalesce(pit_stats.vsc_stops_measured, 0) as vsc_stops_measured,
    coalesce(pit_stats.sc_stops_measured, 0) as sc_stops_measured,
    edition_stats.sc_per_race,
    edition_stats.sc_race_share,
    edition_stats.vsc_per_race,
    edition_stats.red_flag_race_share,
    degradation.deg_soft_s_per_lap,
    degradation.deg_medium_s_per_lap,
    degradation.deg_hard_s_per_lap,
    edition_stats.last_input_race_start_at
from calendar
left join edition_stats using (race_id)
left join pit_stats using (race_id)
left join degradation using (race_id)
