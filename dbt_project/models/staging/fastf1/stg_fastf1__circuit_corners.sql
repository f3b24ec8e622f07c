-- Corner positions (FastF1 circuit info): X/Y in 1/10 m, distance in metres from the timing line.
select
    {{ fastf1_session_keys() }},
    CornerNumber::integer as corner_number,
    X::double as x_dm,
    Y::double as y_dm,
    Angle::double as angle_deg,
    Distance::double as distance_from_line_m,
    Rotation::double as rotation_deg
from {{ source('raw', 'circuit_corners') }}
