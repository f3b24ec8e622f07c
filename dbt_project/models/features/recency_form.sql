-- Recency-weighted pre-race form of every race entry (incl. the next race): the driver's and the constructor's last
-- form_history_races races before this race, each weighted by recency_weight (half-life form_half_life_races races).
-- Driver: finish, points, finish vs the team-mates, incident DNF rate; constructor: mechanical DNF rate (both
-- rates shrunk to the field's), race-pace deficit and its trend. Never the race itself: history rows are joined
-- strictly before the entry's start (tested: last_input_race_start_at, and the unit test below).
with entries as (
    select race_id, race_start_at, driver_id, constructor_id
    from {{ ref('int_race_entries') }}
),

outcomes as (
    select * from {{ ref('int_entry_outcomes') }}
),

driver_history as (
    select
        entries.race_id,
        entries.driver_id,
        outcomes.race_start_at as input_race_start_at,
        outcomes.position_order,
        outcomes.points,
        outcomes.finish_vs_teammates,
        outcomes.incident_dnf,
        {{ recency_weight('row_number() over prior - 1') }} as w
    from entries
    inner join outcomes
        on outcomes.driver_id = entries.driver_id
        and outcomes.race_start_at < entries.race_start_at
    window prior as (partition by entries.race_id, entries.driver_id order by outcomes.race_start_at desc)
    qualify row_number() over prior <= {{ var('form_history_races') }}
),

driver_form as (
    select
        race_id,
        driver_id,
        sum(w * position_order) / sum(w) as ew_finish_position,
        sum(w * points) / sum(w) as ew_points,
        sum(w * finish_vs_teammates) filter (where finish_vs_teammates is not null)
            / sum(w) filter (where finish_vs_teammates is not null) as ew_finish_vs_teammates,
        {{ shrunk_rate('incident_dnf', '1', var('prior_incident_dnf_rate'), var('reliability_prior_races')) }}
            as incident_dnf_rate,
        max(input_race_start_at) as last_input_race_start_at
    from driver_history
    group by race_id, driver_id
),

constructor_races as (
    -- one row per constructor per race: its cars' mechanical failures and its race pace (null without lap data)
    select
        outcomes.constructor_id,
        outcomes.race_id,
        outcomes.race_start_at,
        count(*) as cars,
        sum(outcomes.mechanical_dnf) as mechanical_dnfs,
        any_value(pace.pace_deficit_pct) as pace_deficit_pct
    from outcomes
    left join {{ ref('int_constructor_race_pace') }} as pace using (race_id, constructor_id)
    group by outcomes.constructor_id, outcomes.race_id, outcomes.race_start_at
),

constructor_history as (
    select
        entries.race_id,
        entries.constructor_id,
        history.race_start_at as input_race_start_at,
        history.cars,
        history.mechanical_dnfs,
        history.pace_deficit_pct,
        row_number() over prior - 1 as races_back,
        {{ recency_weight('row_number() over prior - 1') }} as w
    from (select distinct race_id, race_start_at, constructor_id from entries) as entries
    inner join constructor_races as history
        on history.constructor_id = entries.constructor_id
        and history.race_start_at < entries.race_start_at
    window prior as (partition by entries.race_id, entries.constructor_id order by history.race_start_at desc)
    qualify row_number() over prior <= {{ var('form_history_races') }}
),

constructor_form as (
    select
        race_id,
        constructor_id,
        {{ shrunk_rate('mechanical_dnfs', 'cars', var('prior_mechanical_dnf_rate'), var('reliability_prior_races')) }}
            as mechanical_dnf_rate,
        sum(w * pace_deficit_pct) filter (where pace_deficit_pct is not null)
            / sum(w) filter (where pace_deficit_pct is not null) as ew_pace_deficit_pct,
        -- the last three races' pace against the three before them (negative = the car is catching up)
        avg(pace_deficit_pct) filter (where races_back < 3)
            - avg(pace_deficit_pct) filter (where races_back between 3 and 5) as pace_trend_pct,
        max(input_race_start_at) as last_input_race_start_at
    from constructor_history
    group by race_id, constructor_id
)

select
    entries.race_id,
    entries.race_start_at,
    entries.driver_id,
    entries.constructor_id,
    driver_form.ew_finish_position,
    driver_form.ew_points,
    driver_form.ew_finish_vs_teammates,
    driver_form.incident_dnf_rate,
    constructor_form.mechanical_dnf_rate,
    constructor_form.ew_pace_deficit_pct,
    constructor_form.pace_trend_pct,
    greatest(driver_form.last_input_race_start_at, constructor_form.last_input_race_start_at)
        as last_input_race_start_at
from entries
left join driver_form using (race_id, driver_id)
left join constructor_form
    on constructor_form.race_id = entries.race_id and constructor_form.constructor_id = entries.constructor_id
