with landed as (
  select * from {{ landed_source('sgd', 'dialogues') }}
),

renamed as (
  select
    cast(dialogue_id as varchar) as dialogue_id,
    lower(cast(split as varchar)) as source_split,
    cast(services as varchar[]) as services,
    cast(turn_count as integer) as turn_count,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
