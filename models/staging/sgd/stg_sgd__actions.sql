with landed as (
  select * from {{ landed_source('sgd', 'actions') }}
),

renamed as (
  select
    cast(dialogue_id as varchar) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    cast(frame_index as integer) as frame_index,
    cast(action_index as integer) as action_index,
    upper(cast(act as varchar)) as act,
    nullif(cast(slot as varchar), '') as slot,
    cast(slot_values as varchar[]) as slot_values,
    cast(canonical_values as varchar[]) as canonical_values,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
