{#- Row-count sanity: the model holds between min_rows and max_rows rows (catches empty joins and fan-outs). -#}
{% test row_count_between(model, min_rows=1, max_rows=none) %}
select n_rows
from (select count(*) as n_rows from {{ model }})
where n_rows < {{ min_rows }}
{%- if max_rows is not none %} or n_rows > {{ max_rows }}{% endif %}
{% endtest %}
