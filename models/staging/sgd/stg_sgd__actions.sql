with landed as (
  select * from {{ landed_source('sgd', 'actions') }}
),

renamed as (
  select
    cast(dialogue_id as {{ dbt.type_string() }}) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    cast(frame_index as integer) as frame_index,
    cast(action_index as integer) as action_index,
    upper(cast(act as {{ dbt.type_string() }})) as act,
    nullif(cast(slot as {{ dbt.type_string() }}), '') as slot,
    cast(slot_values as {{ type_array(dbt.type_string()) }}) as slot_values,
    cast(canonical_values as {{ type_array(dbt.type_string()) }}) as canonical_values,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
