{#- Helpers for the FastF1 weekend tables. -#}

{#- The session key columns every weekend table carries (Hive partitions season/round/session + FastF1's event
    attributes), renamed once here so every weekend staging model exposes the same keys. -#}
{% macro fastf1_session_keys() -%}
    ergast_raceId::integer as race_id,
    season::integer as season,
    round::integer as round,
    session::varchar as session_code,
    SessionName::varchar as session_name,
    EventName::varchar as event_name,
    EventDate::date as event_date,
    SessionDate::date as session_date
{%- endmacro %}

{#- Softness order of Pirelli's absolute compound names (2018 and before): 1 = softest. -#}
{% macro legacy_compound_softness_rank(column) -%}
    case {{ column }}
        when 'HYPERSOFT' then 1 when 'ULTRASOFT' then 2 when 'SUPERSOFT' then 3 when 'SOFT' then 4
        when 'MEDIUM' then 5 when 'HARD' then 6 when 'SUPERHARD' then 7
    end
{%- endmacro %}

{#- Track state of a lap (or an instant) from FastF1 track-status codes: a string of the codes seen, e.g. '124'.
    Codes: 1 green, 2 yellow, 4 safety car, 5 red flag, 6 VSC deployed, 7 VSC ending. The most severe state wins.
    With include_yellow=false a local yellow counts as green (it does not neutralise the race, e.g. for pit loss). -#}
{% macro track_state(codes, include_yellow=true) -%}
    case
        when {{ codes }} is null then null
        when contains({{ codes }}, '5') then 'red'
        when contains({{ codes }}, '4') then 'sc'
        when contains({{ codes }}, '6') or contains({{ codes }}, '7') then 'vsc'
        {%- if include_yellow %}
        when contains({{ codes }}, '2') then 'yellow'
        {%- endif %}
        else 'green'
    end
{%- endmacro %}
