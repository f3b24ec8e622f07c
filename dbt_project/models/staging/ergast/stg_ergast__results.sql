{{ ergast_classification('results') }}
