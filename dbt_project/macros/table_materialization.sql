{#
  Tables are rebuilt in one `create or replace table` statement and one commit. dbt-duckdb's stock table
  materialisation creates `<name>__dbt_tmp`, renames twice and drops the backup in a transaction of its own: on
  DuckLake every one of those is a catalog round trip (~0.3 s per model). Readers still see the old table or the
  new one, never neither.
#}
{% materialization table, adapter="duckdb", supported_languages=['sql'] %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {#- a model that used to be a view: `create or replace table` does not replace another kind of object -#}
  {%- if existing_relation is not none and not existing_relation.is_table -%}
    {% do adapter.drop_relation(existing_relation) %}
  {%- endif -%}
  {% call statement('main') -%}
    create or replace table {{ target_relation }} as ({{ compiled_code }})
  {%- endcall %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
