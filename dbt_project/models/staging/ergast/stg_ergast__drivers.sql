select
    driverId::integer as driver_id,
    driverRef::varchar as driver_ref,
    number::integer as permanent_number,
    code::varchar as driver_code,
    forename::varchar as forename,
    surname::varchar as surname,
    (forename || ' ' || surname)::varchar as full_name,
    dob::date as date_of_birth,
    nationality::varchar as nationality,
    url::varchar as driver_url
from {{ source('raw', 'drivers') }}
