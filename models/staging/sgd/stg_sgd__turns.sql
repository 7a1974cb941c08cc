with landed as (
  select * from {{ landed_source('sgd', 'turns') }}
),

renamed as (
  select
    cast(dialogue_id as varchar) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    upper(trim(cast(speaker as varchar))) as speaker,
    cast(utterance as varchar) as text,
    {{ normalize_text_sql('utterance') }} as text_normalized,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
