{#- Custom schemas are used verbatim (staging, intermediate, marts, features, reference) instead of dbt's default
    <target_schema>_<custom>, so analysts query marts.fct_laps next to the raw.* views. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
