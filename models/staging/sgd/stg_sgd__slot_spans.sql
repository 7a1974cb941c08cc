with landed as (
  select * from {{ landed_source('sgd', 'slot_spans') }}
),

renamed as (
  select
    cast(dialogue_id as varchar) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    cast(frame_index as integer) as frame_index,
    cast(span_index as integer) as span_index,
    cast(slot as varchar) as slot,
    cast(span_start as integer) as span_start,
    cast(span_end as integer) as span_end,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
