with landed as (
  select * from {{ landed_source('twcs', 'tweets') }}
),

renamed as (
  select
    cast(tweet_id as bigint) as tweet_id,
    cast(author_id as {{ dbt.type_string() }}) as author_id,
    cast(inbound as boolean) as is_inbound,
    cast(created_at as {{ type_timestamptz() }}) as created_at,
    cast(text as {{ dbt.type_string() }}) as text,
    {{ normalize_text_sql('text') }} as text_normalized,
    cast(response_tweet_ids as {{ type_array('bigint') }}) as response_tweet_ids,
    cast(in_response_to_tweet_id as bigint) as in_response_to_tweet_id,
    cast(_load_id as {{ dbt.type_string() }}) as _load_id,
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at
  from landed
)

select * from renamed
