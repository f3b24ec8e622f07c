{{ classification_fact('stg_ergast__sprint_results') }}
