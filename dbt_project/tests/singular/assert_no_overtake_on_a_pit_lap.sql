-- A pit-cycle swap is not an overtake: no pass may involve a car on its in- or out-lap of that lap.
select overtakes.*
from {{ ref('fct_overtakes') }} as overtakes
inner join {{ ref('fct_laps') }} as laps
    on laps.race_id = overtakes.race_id
    and laps.lap_number = overtakes.lap_number
    and laps.driver_id in (overtakes.overtaking_driver_id, overtakes.overtaken_driver_id)
where laps.is_in_lap or laps.is_out_lap
