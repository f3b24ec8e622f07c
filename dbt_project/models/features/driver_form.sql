-- Pre-race form of every driver entered in a race (incl. the next race): rolling figures over the driver's previous
-- form_window_races races, never the race itself. last_input_race_start_at is the latest race the row read.
with entries as (
    select * from {{ ref('int_race_entries') }}
),

history as (
    select
        entries.race_id,
        entries.season,
        entries.round,
        entries.race_start_at,
        entries.driver_id,
        entries.constructor_id,
        results.position_order,
        results.points,
        case when results.race_id is not null then results.is_dnf::integer end as dnf,
        gaps.gap_to_teammate_pct,
        case when results.race_id is not null then entries.race_start_at end as result_start_at
    from entries
    left join {{ ref('int_driver_race_results') }} as results using (race_id, driver_id)
    left join {{ ref('int_qualifying_teammate_gaps') }} as gaps using (race_id, driver_id)
)

select
    race_id,
    season,
    round,
    race_start_at,
    driver_id,
    constructor_id,
    count(result_start_at) over prior_races as races_in_window,
    avg(position_order) over prior_races as avg_finish_position,
    avg(points) over prior_races as avg_points,
    avg(dnf) over prior_races as dnf_rate,
    avg(gap_to_teammate_pct) over prior_races as avg_quali_gap_to_teammate_pct,
    count(result_start_at) over all_prior_races as career_races_before,
    max(result_start_at) over all_prior_races as last_input_race_start_at
from history
window
    prior_races as {{ prior_rows('driver_id', 'race_start_at', var('form_window_races')) }},
    all_prior_races as (partition by driver_id order by race_start_at rows between unbounded preceding and 1 preceding)
