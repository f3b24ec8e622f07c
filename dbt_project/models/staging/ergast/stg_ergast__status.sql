select
    statusId::integer as status_id,
    status::varchar as status
from {{ source('raw', 'status') }}
