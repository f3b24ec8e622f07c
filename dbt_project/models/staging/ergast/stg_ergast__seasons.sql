select
    year::integer as season,
    url::varchar as season_url
from {{ source('raw', 'seasons') }}
