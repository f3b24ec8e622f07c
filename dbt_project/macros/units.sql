{#- Unit conversions shared by the staging models. -#}

{#- Ergast lap/qualifying time strings ('1:23.456', '83.456', '1:02:03.4') to seconds; anything unparsable -> null. -#}
{% macro ergast_time_to_s(column) -%}
    round(list_reduce(
        list_transform(string_split(nullif(trim({{ column }}), ''), ':'), part -> try_cast(part as double)),
        (acc, part) -> acc * 60 + part
    ), 3)
{%- endmacro %}

{% macro ms_to_s(column) -%}
    ({{ column }} / 1000.0)
{%- endmacro %}
