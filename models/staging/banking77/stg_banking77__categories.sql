with landed as (
  select * from {{ landed_source('banking77', 'categories') }}
),

renamed as (
  select
    cast(label_index as integer) as label_index,
    trim(cast(intent as varchar)) as intent,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
