-- Candidate new intents found by clustering low-confidence utterances.
select
    cluster_id,
    label_set,
    top_terms,
    n_utterances,
    array_to_string(list_slice(example_texts, 1, 3), ' | ') as examples
from mart_intent_discovery
order by n_utterances desc
