select
    constructorId::integer as constructor_id,
    constructorRef::varchar as constructor_ref,
    name::varchar as constructor_name,
    nationality::varchar as nationality,
    url::varchar as constructor_url
from {{ source('raw', 'constructors') }}
