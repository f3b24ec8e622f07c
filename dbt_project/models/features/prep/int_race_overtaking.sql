-- How much the running order changes in a race (a post-race fact, input of circuit_profile):
--   grid_finish_rank_corr: Spearman rank correlation between grid and finishing position of the classified cars
--     that started from the grid (1 = finished in grid order);
--   on_track_overtakes: passes in fct_overtakes (null when the race has no lap data).
with classified as (
    select
        race_id,
        rank() over (partition by race_id order by grid) as grid_rank,
        rank() over (partition by race_id order by position) as finish_rank
    from {{ ref('fct_results') }}
    where position is not null and grid > 0
),

correlation as (
    -- clamped: a perfect order gives 1 + float noise
    select race_id, least(greatest(corr(grid_rank, finish_rank), -1.0), 1.0) as grid_finish_rank_corr,
           count(*) as classified_starters
    from classified
    group by race_id
    having count(*) >= 5
),

overtakes as (
    select race_id, count(*) as on_track_overtakes
    from {{ ref('fct_overtakes') }}
    group by race_id
)

select
    races.race_id,
    correlation.grid_finish_rank_corr,
    correlation.classified_starters,
    case when races.has_lap_data then coalesce(overtakes.on_track_overtakes, 0) end as on_track_overtakes
from {{ ref('int_races') }} as races
left join correlation using (race_id)
left join overtakes using (race_id)
where races.has_results
