{# Reconciliation: each tweet placed in a thread appears exactly once in fct_turns. #}
with threaded as (
  select count(*) as n from {{ ref('int_twcs__thread_members') }}
),

published as (
  select count(*) as n, count(distinct turn_id) as distinct_turns
  from {{ ref('fct_turns') }}
  where source = 'twcs'
)

select threaded.n as threaded_tweets, published.n as twcs_turns
from threaded cross join published
where threaded.n <> published.n or published.n <> published.distinct_turns
