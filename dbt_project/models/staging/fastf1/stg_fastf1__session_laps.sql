-- FastF1 laps of every session. Times are seconds (session clock = seconds since the session's t0).
-- Compounds: from 2019 Pirelli names the three compounds of a weekend SOFT/MEDIUM/HARD relative to each other. Before
-- that the names were absolute (HYPERSOFT ... SUPERHARD); they are mapped to the relative names by ranking the
-- weekend's dry compounds from softest to hardest (softest -> SOFT, next -> MEDIUM, hardest -> HARD), the way Pirelli
-- nominated three per race. The raw name stays in compound_original. UNKNOWN / TEST_UNKNOWN become null.
with laps as (
    select
        {{ fastf1_session_keys() }},
        Driver::varchar as driver_code,
        try_cast(DriverNumber as integer) as driver_number,
        LapNumber::integer as lap_number,
        LapTime::double as lap_time_s,
        LapStartTime::double as lap_start_session_time_s,
        Time::double as lap_end_session_time_s,
        Stint::integer as stint,
        PitOutTime::double as pit_out_session_time_s,
        PitInTime::double as pit_in_session_time_s,
        Sector1Time::double as sector1_time_s,
        Sector2Time::double as sector2_time_s,
        Sector3Time::double as sector3_time_s,
        Sector1SessionTime::double as sector1_session_time_s,
        Sector2SessionTime::double as sector2_session_time_s,
        Sector3SessionTime::double as sector3_session_time_s,
        SpeedI1::double as speed_trap_i1_kph,
        SpeedI2::double as speed_trap_i2_kph,
        SpeedFL::double as speed_finish_line_kph,
        SpeedST::double as speed_trap_st_kph,
        IsPersonalBest::boolean as is_personal_best,
        nullif(nullif(upper(trim(Compound)), 'UNKNOWN'), 'TEST_UNKNOWN') as compound_original,
        TyreLife::integer as tyre_life_laps,
        FreshTyre::boolean as is_fresh_tyre,
        Team::varchar as team_name,
        TrackStatus::varchar as track_status,
        Position::integer as position,
        Deleted::boolean as is_deleted,
        DeletedReason::varchar as deleted_reason,
        FastF1Generated::boolean as is_fastf1_generated,
        IsAccurate::boolean as is_accurate
    from {{ source('raw', 'session_laps') }}
),

legacy_dry_compounds as (
    -- the weekend's dry compounds in softness order (pre-2019 only)
    select
        race_id,
        compound_original,
        dense_rank() over (partition by race_id order by {{ legacy_compound_softness_rank('compound_original') }})
            as softness_rank
    from (
        select distinct race_id, compound_original
        from laps
        where season < 2019 and {{ legacy_compound_softness_rank('compound_original') }} is not null
    )
)

select
    laps.* exclude (compound_original),
    case
        when laps.season >= 2019 or legacy.softness_rank is null then laps.compound_original
        else ['SOFT', 'MEDIUM', 'HARD'][least(legacy.softness_rank, 3)]
    end as compound,
    laps.compound_original
from laps
left join legacy_dry_compounds as legacy
    on laps.race_id = legacy.race_id
    and laps.compound_original = legacy.compound_original
    and laps.season < 2019
