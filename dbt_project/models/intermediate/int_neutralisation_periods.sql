-- One row per SC / VSC / red-flag period of a race. The curated history is the primary source; FastF1 timing fills
-- in a (race, kind) the history has nothing for (e.g. short VSCs it missed). Both use the same lap convention.
with history as (
    select race_id, kind, start_lap, end_lap, 'history' as source, cause, red_flag_resumed_code,
           null::double as start_session_time_s, null::double as end_session_time_s
    from {{ ref('int_neutralisations__history') }}
    where race_id is not null
),

timing as (
    select race_id, kind, start_lap, end_lap, 'timing' as source, null as cause, null as red_flag_resumed_code,
           start_session_time_s, end_session_time_s
    from {{ ref('int_neutralisations__timing') }} as t
    where not exists (select 1 from history as h where h.race_id = t.race_id and h.kind = t.kind)
),

periods as (
    select * from history
    union all
    select * from timing
)

select
    periods.race_id,
    races.season,
    races.round,
    races.circuit_id,
    periods.kind,
    -- two stoppages on one lap (Monza 1990 lap 1): the order is the same on every build
    row_number() over (
        partition by periods.race_id, periods.kind
        order by periods.start_lap, periods.end_lap, periods.start_session_time_s, periods.cause
    ) as period_number,
    periods.start_lap,
    coalesce(periods.end_lap, races.race_laps, periods.start_lap) as end_lap,
    races.race_laps,
    periods.source,
    periods.cause,
    periods.red_flag_resumed_code,
    periods.start_session_time_s,
    periods.end_session_time_s
from periods
inner join {{ ref('int_races') }} as races using (race_id)
