-- Cross-check of the two SC sources where both exist (2018 on): a race the history gives N safety cars should show
-- N periods in the FastF1 track status too, give or take one (the timing splits or merges the odd period).
with history as (
    select race_id, count(*) as history_periods
    from {{ ref('int_neutralisations__history') }}
    where kind = 'SC'
    group by race_id
),

timing as (
    select race_id, count(*) as timing_periods
    from {{ ref('int_neutralisations__timing') }}
    where kind = 'SC'
    group by race_id
)

select *
from history
inner join timing using (race_id)
where abs(history_periods - timing_periods) > 1
