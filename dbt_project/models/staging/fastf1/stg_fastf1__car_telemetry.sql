-- Per-sample car telemetry (a few races). X/Y/Z are FastF1 track coordinates in 1/10 m.
select
    {{ fastf1_session_keys() }},
    Driver::varchar as driver_code,
    LapNumber::integer as lap_number,
    LapTime_ms::integer as lap_elapsed_ms,
    Speed::double as speed_kph,
    RPM::integer as engine_rpm,
    nGear::integer as gear,
    Throttle::double as throttle_pct,
    Brake::boolean as is_braking,
    DRS::integer as drs_state,
    Distance::double as lap_distance_m,
    X::double as x_dm,
    Y::double as y_dm,
    Z::double as z_dm,
    AccX::double as acc_x_mps2,
    AccY::double as acc_y_mps2,
    AccZ::double as acc_z_mps2
from {{ source('raw', 'car_telemetry') }}
