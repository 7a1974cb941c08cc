with landed as (
  select * from {{ landed_source('sgd', 'schema_services') }}
),

renamed as (
  select
    cast(service_name as {{ dbt.type_string() }}) as service_name,
    cast(description as {{ dbt.type_string() }}) as description,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
