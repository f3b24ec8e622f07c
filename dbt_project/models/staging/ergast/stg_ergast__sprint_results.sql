{{ ergast_classification('sprint_results') }}
