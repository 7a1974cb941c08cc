with landed as (
  select * from {{ landed_source('sgd', 'schema_intents') }}
),

renamed as (
  select
    cast(service_name as {{ dbt.type_string() }}) as service_name,
    cast(intent_name as {{ dbt.type_string() }}) as intent_name,
    cast(description as {{ dbt.type_string() }}) as description,
    cast(is_transactional as boolean) as is_transactional,
    cast(required_slots as {{ type_array(dbt.type_string()) }}) as required_slots,
    cast(optional_slots_json as {{ dbt.type_string() }}) as optional_slots_json,
    cast(result_slots as {{ type_array(dbt.type_string()) }}) as result_slots,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
