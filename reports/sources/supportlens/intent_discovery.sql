-- Candidate new intents found by clustering low-confidence utterances.
select
    cluster_id,
    label_set,
    coalesce(cluster_label, array_to_string(top_terms, ', ')) as top_terms,
    utterance_count as n_utterances,
    array_to_string(list_slice(representative_examples, 1, 3), ' | ') as examples
from mart_intent_discovery
order by n_utterances desc
