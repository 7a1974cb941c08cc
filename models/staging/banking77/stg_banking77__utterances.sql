with landed as (
  select * from {{ landed_source('banking77', 'utterances') }}
),

renamed as (
  select
    cast(utterance_id as {{ dbt.type_string() }}) as utterance_id,
    lower(cast(split as {{ dbt.type_string() }})) as source_split,
    cast(text as {{ dbt.type_string() }}) as text,
    {{ normalize_text_sql('text') }} as text_normalized,
    trim(cast(intent as {{ dbt.type_string() }})) as intent,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
