{{ classification_fact('stg_ergast__results') }}
