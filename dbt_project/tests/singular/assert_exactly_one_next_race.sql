-- The calendar has exactly one next race (the feature marts and the ML precompute predict it).
select count(*) as next_races
from {{ ref('dim_races') }}
where is_next_race
having count(*) <> 1
