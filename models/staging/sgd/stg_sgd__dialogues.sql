with landed as (
  select * from {{ landed_source('sgd', 'dialogues') }}
),

renamed as (
  select
    cast(dialogue_id as {{ dbt.type_string() }}) as dialogue_id,
    lower(cast(split as {{ dbt.type_string() }})) as source_split,
    cast(services as {{ type_array(dbt.type_string()) }}) as services,
    cast(turn_count as integer) as turn_count,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
