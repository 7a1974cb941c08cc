with landed as (
  select * from {{ landed_source('sgd', 'frames') }}
),

renamed as (
  select
    cast(dialogue_id as varchar) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    cast(frame_index as integer) as frame_index,
    cast(service as varchar) as service,
    cast(service_call_method as varchar) as service_call_method,
    cast(service_call_parameters_json as varchar) as service_call_parameters_json,
    cast(service_results_json as varchar) as service_results_json,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
