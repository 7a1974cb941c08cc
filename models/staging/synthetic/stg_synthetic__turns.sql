with landed as (
  select * from {{ landed_source('synthetic', 'turns') }}
),

renamed as (
  select
    cast(conversation_id as varchar) as conversation_id,
    cast(turn_index as integer) as turn_index,
    lower(trim(cast(speaker as varchar))) as speaker,
    cast(text as varchar) as text,
    {{ normalize_text_sql('text') }} as text_normalized,
    cast(sent_at as timestamp with time zone) as sent_at,
    lower(trim(cast(channel as varchar))) as channel,
    cast(company as varchar) as company,
    trim(cast(intent as varchar)) as intent,
    lower(trim(cast(sentiment as varchar))) as sentiment,
    lower(trim(cast(outcome as varchar))) as outcome,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
