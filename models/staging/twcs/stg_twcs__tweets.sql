with landed as (
  select * from {{ landed_source('twcs', 'tweets') }}
),

renamed as (
  select
    cast(tweet_id as bigint) as tweet_id,
    cast(author_id as varchar) as author_id,
    cast(inbound as boolean) as is_inbound,
    cast(created_at as timestamp with time zone) as created_at,
    cast(text as varchar) as text,
    {{ normalize_text_sql('text') }} as text_normalized,
    cast(response_tweet_ids as bigint[]) as response_tweet_ids,
    cast(in_response_to_tweet_id as bigint) as in_response_to_tweet_id,
    cast(_load_id as varchar) as _load_id,
    cast(_source_file as varchar) as _source_file,
    cast(_record as bigint) as _record,
    cast(_loaded_at as timestamp with time zone) as _loaded_at
  from landed
)

select * from renamed
