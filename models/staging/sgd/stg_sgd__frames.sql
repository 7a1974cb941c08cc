with landed as (
  select * from {{ landed_source('sgd', 'frames') }}
),

renamed as (
  select
    cast(dialogue_id as {{ dbt.type_string() }}) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    cast(frame_index as integer) as frame_index,
    cast(service as {{ dbt.type_string() }}) as service,
    cast(service_call_method as {{ dbt.type_string() }}) as service_call_method,
    cast(service_call_parameters_json as {{ dbt.type_string() }}) as service_call_parameters_json,
    cast(service_results_json as {{ dbt.type_string() }}) as service_results_json,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
