-- About one weather sample a minute per session; `sample_session_time_s` is on the session clock.
select
    {{ fastf1_session_keys() }},
    Time::double as sample_session_time_s,
    AirTemp::double as air_temp_c,
    Humidity::double as humidity_pct,
    Pressure::double as pressure_mbar,
    Rainfall::boolean as is_raining,
    TrackTemp::double as track_temp_c,
    WindDirection::integer as wind_direction_deg,
    WindSpeed::double as wind_speed_mps
from {{ source('raw', 'session_weather') }}
