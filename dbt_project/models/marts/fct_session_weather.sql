-- One row per weather sample (about one a minute) of every session with weather data.
select
    weather.race_id,
    weather.season,
    weather.round,
    races.circuit_id,
    weather.session_code,
    weather.session_name,
    weather.session_date,
    weather.sample_session_time_s,
    weather.air_temp_c,
    weather.track_temp_c,
    weather.humidity_pct,
    weather.pressure_mbar,
    weather.is_raining,
    weather.wind_speed_mps,
    weather.wind_direction_deg
from {{ ref('stg_fastf1__session_weather') }} as weather
left join {{ ref('stg_ergast__races') }} as races using (race_id)
where weather.race_id is not null
