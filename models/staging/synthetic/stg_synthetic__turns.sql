with landed as (
  select * from {{ landed_source('synthetic', 'turns') }}
),

renamed as (
  select
    cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
    cast(turn_index as integer) as turn_index,
    lower(trim(cast(speaker as {{ dbt.type_string() }}))) as speaker,
    cast(text as {{ dbt.type_string() }}) as text,
    {{ normalize_text_sql('text') }} as text_normalized,
    cast(sent_at as {{ type_timestamptz() }}) as sent_at,
    lower(trim(cast(channel as {{ dbt.type_string() }}))) as channel,
    cast(company as {{ dbt.type_string() }}) as company,
    trim(cast(intent as {{ dbt.type_string() }})) as intent,
    lower(trim(cast(sentiment as {{ dbt.type_string() }}))) as sentiment,
    lower(trim(cast(outcome as {{ dbt.type_string() }}))) as outcome,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
