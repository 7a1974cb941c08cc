with landed as (
  select * from {{ landed_source('bitext', 'utterances') }}
),

renamed as (
  select
    cast(utterance_id as {{ dbt.type_string() }}) as utterance_id,
    cast(flags as {{ dbt.type_string() }}) as flags,
    cast(instruction as {{ dbt.type_string() }}) as text,
    {{ normalize_text_sql('instruction') }} as text_normalized,
    upper(trim(cast(category as {{ dbt.type_string() }}))) as category,
    trim(cast(intent as {{ dbt.type_string() }})) as intent,
    cast(response as {{ dbt.type_string() }}) as response_text,
    cast(placeholders as {{ type_array(dbt.type_string()) }}) as placeholders,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
