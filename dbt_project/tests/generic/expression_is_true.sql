{#- A row-level invariant: returns the rows where the boolean expression is false (null counts as true). -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), true)
{% endtest %}
