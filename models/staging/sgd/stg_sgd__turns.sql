with landed as (
  select * from {{ landed_source('sgd', 'turns') }}
),

renamed as (
  select
    cast(dialogue_id as {{ dbt.type_string() }}) as dialogue_id,
    cast(turn_index as integer) as turn_index,
    upper(trim(cast(speaker as {{ dbt.type_string() }}))) as speaker,
    cast(utterance as {{ dbt.type_string() }}) as text,
    {{ normalize_text_sql('utterance') }} as text_normalized,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
