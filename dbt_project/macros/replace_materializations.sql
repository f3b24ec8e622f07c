{#
  Tables and views are replaced in one `create or replace` statement and one commit. dbt-duckdb's stock
  materialisations create `<name>__dbt_tmp`, rename twice and drop the backup (the table's in a transaction of its
  own, the view's after the commit): on DuckLake every one of those is a catalog round trip (~0.3 s per table model)
  and the drop a snapshot of its own. Readers still see the old relation or the new one, never neither. Measured:
  `dbt build` CPU 52.3 / 53.1 s with the stock view materialisation vs 48.2 / 46.2 s with this one (alternating,
  loaded 2-core machine); same marts and features.
#}
{% macro replace_in_one_commit(kind, code) %}
  {%- set target_relation = this.incorporate(type=kind) -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {#- a model that changed kind: `create or replace` does not replace another kind of object -#}
  {%- if existing_relation is not none and existing_relation.type != kind -%}
    {% do adapter.drop_relation(existing_relation) %}
  {%- endif -%}
  {% call statement('main') -%}
    create or replace {{ kind }} {{ target_relation }} as ({{ code }})
  {%- endcall %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmacro %}

{% materialization table, adapter="duckdb", supported_languages=['sql'] %}
  {{ return(replace_in_one_commit('table', compiled_code)) }}
{% endmaterialization %}

{% materialization view, adapter="duckdb" %}
  {{ return(replace_in_one_commit('view', sql)) }}
{% endmaterialization %}
