with landed as (
  select * from {{ landed_source('banking77', 'utterances') }}
),

renamed as (
  select
    cast(utterance_id as varchar) as utterance_id,
    lower(cast(split as varchar)) as source_split,
    cast(text as varchar) as text,
    {{ normalize_text_sql('text') }} as text_normalized,
    trim(cast(intent as varchar)) as intent,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
