with landed as (
  select * from {{ landed_source('sgd', 'schema_intents') }}
),

renamed as (
  select
    cast(service_name as varchar) as service_name,
    cast(intent_name as varchar) as intent_name,
    cast(description as varchar) as description,
    cast(is_transactional as boolean) as is_transactional,
    cast(required_slots as varchar[]) as required_slots,
    cast(optional_slots_json as varchar) as optional_slots_json,
    cast(result_slots as varchar[]) as result_slots,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
