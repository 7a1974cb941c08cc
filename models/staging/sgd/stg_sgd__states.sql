with landed as (
  select * from {{ landed_source('sgd', 'states') }}
),

renamed as (
  select
    cast(dialogue_id as varchar) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    cast(frame_index as integer) as frame_index,
    nullif(cast(active_intent as varchar), 'NONE') as active_intent,
    cast(requested_slots as varchar[]) as requested_slots,
    cast(slot_values_json as varchar) as slot_values_json,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
