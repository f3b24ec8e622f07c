-- Each driver's race outcome as the recency-weighted form reads it (a post-race fact, Grands Prix with results):
-- finish, points, the finish relative to the team-mates, and why the car retired: a failure of the car
-- (mechanical) or an incident of the driver. 'Retired' and other causes without a reason count as neither.
with results as (
    select results.*, races.race_start_at
    from {{ ref('fct_results') }} as results
    inner join {{ ref('int_races') }} as races using (race_id)
    -- a 1950s driver sharing cars: the best one, as int_driver_race_results
    qualify row_number() over (partition by race_id, driver_id order by position_order) = 1
)

select
    race_id,
    driver_id,
    constructor_id,
    race_start_at,
    position_order,
    points,
    -- finish minus the mean finish of the team's other cars (negative = ahead of the team-mates)
    position_order - (sum(position_order) over team_race - position_order)
        / nullif(count(*) over team_race - 1, 0) as finish_vs_teammates,
    (is_dnf and status in ('Collision', 'Accident', 'Collision damage', 'Spun off'))::integer as incident_dnf,
    (is_dnf and status not in ('Collision', 'Accident', 'Collision damage', 'Spun off', 'Damage', 'Debris',
        'Puncture', 'Withdrew', 'Illness', 'Retired'))::integer as mechanical_dnf
from results
window team_race as (partition by race_id, constructor_id)
