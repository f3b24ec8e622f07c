-- FastF1's session driver list (live timing). Built offline, so the Ergast-sourced result columns are mostly empty:
-- use the Ergast results for classifications.
select
    {{ fastf1_session_keys() }},
    try_cast(DriverNumber as integer) as driver_number,
    BroadcastName::varchar as broadcast_name,
    Abbreviation::varchar as driver_code,
    DriverId::varchar as fastf1_driver_ref,
    TeamName::varchar as team_name,
    TeamColor::varchar as team_color_hex,
    TeamId::varchar as fastf1_team_ref,
    FirstName::varchar as first_name,
    LastName::varchar as last_name,
    FullName::varchar as full_name,
    HeadshotUrl::varchar as headshot_url,
    CountryCode::varchar as country_code,
    Position::integer as position,
    ClassifiedPosition::varchar as classified_position,
    GridPosition::integer as grid_position,
    Q1::double as q1_time_s,
    Q2::double as q2_time_s,
    Q3::double as q3_time_s,
    Time::double as race_time_s,
    Status::varchar as status,
    Points::double as points,
    Laps::integer as laps_completed
from {{ source('raw', 'session_results') }}
