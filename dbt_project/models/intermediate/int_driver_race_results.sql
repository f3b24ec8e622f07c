-- One result per driver per race. In the 1950s a driver could share or switch cars within a race and appear more
-- than once; such a race counts by the driver's best car (points are summed, as the championship did).
select
    race_id,
    driver_id,
    arg_min(constructor_id, position_order) as constructor_id,
    min(position_order) as position_order,
    min(position) as position,
    sum(points) as points,
    bool_or(is_classified) as is_classified,
    bool_and(is_dnf) as is_dnf,
    count(*) as cars_driven
from {{ ref('stg_ergast__results') }}
group by race_id, driver_id
