-- Low-confidence ("missed") utterances: the 500 least confident distinct texts.
select
    cast(last_seen as date) as day,
    source,
    label_set,
    text,
    best_guess_intent as predicted_intent,
    mean_confidence as confidence,
    occurrences
from mart_missed_utterances
order by mean_confidence
limit 500
