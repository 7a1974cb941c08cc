with landed as (
  select * from {{ landed_source('sgd', 'schema_slots') }}
),

renamed as (
  select
    cast(service_name as varchar) as service_name,
    cast(slot_name as varchar) as slot_name,
    cast(description as varchar) as description,
    cast(is_categorical as boolean) as is_categorical,
    cast(possible_values as varchar[]) as possible_values,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
