with landed as (
  select * from {{ landed_source('sgd', 'states') }}
),

renamed as (
  select
    cast(dialogue_id as {{ dbt.type_string() }}) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    cast(frame_index as integer) as frame_index,
    nullif(cast(active_intent as {{ dbt.type_string() }}), 'NONE') as active_intent,
    cast(requested_slots as {{ type_array(dbt.type_string()) }}) as requested_slots,
    cast(slot_values_json as {{ dbt.type_string() }}) as slot_values_json,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
