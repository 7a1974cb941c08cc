with landed as (
  select * from {{ landed_source('bitext', 'utterances') }}
),

renamed as (
  select
    cast(utterance_id as varchar) as utterance_id,
    cast(flags as varchar) as flags,
    cast(instruction as varchar) as text,
    {{ normalize_text_sql('instruction') }} as text_normalized,
    upper(trim(cast(category as varchar))) as category,
    trim(cast(intent as varchar)) as intent,
    cast(response as varchar) as response_text,
    cast(placeholders as varchar[]) as placeholders,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
