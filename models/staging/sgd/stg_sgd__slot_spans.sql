with landed as (
  select * from {{ landed_source('sgd', 'slot_spans') }}
),

renamed as (
  select
    cast(dialogue_id as {{ dbt.type_string() }}) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    cast(frame_index as integer) as frame_index,
    cast(span_index as integer) as span_index,
    cast(slot as {{ dbt.type_string() }}) as slot,
    cast(span_start as integer) as span_start,
    cast(span_end as integer) as span_end,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
