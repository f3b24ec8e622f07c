{#- Shared building blocks of the marts and feature models. -#}

{#- A window over the n previous rows of a partition, never the current one: the backbone of every point-in-time
    feature (a row for race R only sees rows ordered strictly before R). -#}
{% macro prior_rows(partition_by, order_by, n) -%}
    (partition by {{ partition_by }} order by {{ order_by }} rows between {{ n }} preceding and 1 preceding)
{%- endmacro %}

{#- Tyre degradation as the within-stint slope: lap time vs tyre life after removing each stint's mean, so car,
    driver, fuel-model and track-evolution offsets between stints do not bias the slope. x_dm / y_dm are the
    stint-demeaned tyre life and fuel-corrected lap time (see int_clean_laps); `where` restricts the laps used. -#}
{% macro within_stint_slope(x_dm, y_dm, where=none) -%}
    {%- set f = ' filter (where ' ~ where ~ ')' if where else '' -%}
    (sum({{ x_dm }} * {{ y_dm }}){{ f }} / nullif(sum({{ x_dm }} * {{ x_dm }}){{ f }}, 0))
{%- endmacro %}

{#- Fuel-corrected pace at zero tyre life implied by that slope: mean(y) - slope * mean(x). -#}
{% macro within_stint_intercept(x, y, x_dm, y_dm) -%}
    (avg({{ y }}) - {{ within_stint_slope(x_dm, y_dm) }} * avg({{ x }}))
{%- endmacro %}

{#- Estimated fuel on board (kg) averaged over lap `lap`, for a linear burn over `race_laps` laps. -#}
{% macro fuel_load_kg(lap, race_laps) -%}
    ({{ var('fuel_start_kg') }} * greatest(0.0, 1.0 - ({{ lap }} - 0.5) / nullif({{ race_laps }}, 0)))
{%- endmacro %}

{#- Recency weight of an input `races_back` races before the current one (0 = the latest): halves every
    form_half_life_races races, so recent form counts most without forgetting a longer history. -#}
{% macro recency_weight(races_back) -%}
    pow(0.5, ({{ races_back }}) / {{ var('form_half_life_races') }})
{%- endmacro %}

{#- Recency-weighted mean rate shrunk towards `prior_rate` with `prior_weight` pseudo-events: a team with little
    history reads as the field, not as 0 % or 100 %. -#}
{% macro shrunk_rate(events, exposure, prior_rate, prior_weight) -%}
    ((sum(w * {{ events }}) + {{ prior_weight }} * {{ prior_rate }}) / (sum(w * {{ exposure }}) + {{ prior_weight }}))
{%- endmacro %}
