"""Fixture data for the quality tests: a small landing zone and warehouse that follow
docs/contracts.md exactly, built with DuckDB in tmp_path, plus helpers to break them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from supportlens.config import Paths, Settings

REPO_ROOT = Path(__file__).resolve().parents[2]

LINEAGE = (
    "'{load}' as _load_id, '{file}' as _source_file, i::bigint as _record, "
    "timestamptz '2026-01-01 00:00:00+00' as _loaded_at"
)

#: select statements per landed table; `{load}` and `{file}` fill the lineage columns.
LANDING_SQL: dict[tuple[str, str], str] = {
    ("banking77", "utterances"): """
        with cat as (select row_number() over () - 1 as k, intent
                     from read_csv('{seeds}/banking77_intent_catalogue.csv'))
        select 'train-' || i as utterance_id, 'train' as split,
               'how do i sort out my card problem number ' || i as text, cat.intent, {lineage}
        from range(1, 309) t(i) join cat on cat.k = i % 77""",
    ("banking77", "categories"): """
        select (row_number() over () - 1)::int as label_index, intent, {lineage}
        from (select intent, row_number() over () as i
              from read_csv('{seeds}/banking77_intent_catalogue.csv'))""",
    ("bitext", "utterances"): """
        with cat as (select row_number() over () - 1 as k, intent, category
                     from read_csv('{seeds}/bitext_intent_catalogue.csv'))
        select 'bitext-' || i as utterance_id, 'BL' as flags,
               'i want help with my order {{{{Order Number}}}} please ' || i as instruction,
               cat.category, cat.intent, 'Sure, I can help with that request.' as response,
               ['Order Number'] as placeholders, {lineage}
        from range(1, 109) t(i) join cat on cat.k = i % 27""",
    ("sgd", "dialogues"): """
        select '1_' || lpad(i::varchar, 5, '0') as dialogue_id, 'train' as split,
               ['Restaurants_1'] as services, 4::int as turn_count, {lineage}
        from range(1, 21) t(i)""",
    ("sgd", "turns"): """
        select '1_' || lpad((1 + (i - 1) // 4)::varchar, 5, '0') as dialogue_id,
               ((i - 1) % 4)::int as turn_index,
               case when (i - 1) % 2 = 0 then 'USER' else 'SYSTEM' end as speaker,
               'I would like a table for two tonight, turn ' || i as utterance, {lineage}
        from range(1, 81) t(i)""",
    ("sgd", "frames"): """
        select '1_' || lpad(i::varchar, 5, '0') as dialogue_id, 0::int as turn_index,
               0::int as frame_index, 'Restaurants_1' as service,
               null::varchar as service_call_method,
               null::varchar as service_call_parameters_json,
               null::varchar as service_results_json, {lineage}
        from range(1, 21) t(i)""",
    ("sgd", "actions"): """
        select '1_' || lpad(i::varchar, 5, '0') as dialogue_id, 0::int as turn_index,
               0::int as frame_index, 0::int as action_index, 'INFORM' as act,
               'city' as slot, ['Paris'] as slot_values, ['Paris'] as canonical_values,
               {lineage}
        from range(1, 21) t(i)""",
    ("sgd", "slot_spans"): """
        select '1_' || lpad(i::varchar, 5, '0') as dialogue_id, 0::int as turn_index,
               0::int as frame_index, 0::int as span_index, 'city' as slot,
               10::int as span_start, 15::int as span_end, {lineage}
        from range(1, 21) t(i)""",
    ("sgd", "states"): """
        select '1_' || lpad(i::varchar, 5, '0') as dialogue_id, 0::int as turn_index,
               0::int as frame_index, 'ReserveRestaurant' as active_intent,
               ['time'] as requested_slots, '{{}}' as slot_values_json, {lineage}
        from range(1, 21) t(i)""",
    ("sgd", "schema_services"): """
        select 'Restaurants_' || i as service_name, 'restaurants' as description, {lineage}
        from range(1, 4) t(i)""",
    ("sgd", "schema_intents"): """
        select 'Restaurants_' || i as service_name, 'ReserveRestaurant' as intent_name,
               'reserve' as description, true as is_transactional,
               ['city'] as required_slots, '{{}}' as optional_slots_json,
               ['city'] as result_slots, {lineage}
        from range(1, 4) t(i)""",
    ("sgd", "schema_slots"): """
        select 'Restaurants_' || i as service_name, 'city' as slot_name, 'city' as description,
               false as is_categorical, []::varchar[] as possible_values, {lineage}
        from range(1, 4) t(i)""",
    ("twcs", "tweets"): """
        select i::bigint as tweet_id,
               case when i % 2 = 1 then 'cust' || i else 'AcmeSupport' end as author_id,
               i % 2 = 1 as inbound,
               timestamptz '2017-10-01 00:00:00+00' + to_seconds(i * 60) as created_at,
               case when i % 2 = 1 then '@AcmeSupport my card does not work at all ' || i
                    else '@cust' || (i - 1) || ' sorry to hear that, please DM us' end as text,
               case when i % 2 = 1 then [i + 1]::bigint[] else []::bigint[] end
                 as response_tweet_ids,
               case when i % 2 = 0 then i - 1 end::bigint as in_response_to_tweet_id, {lineage}
        from range(1, 201) t(i)""",
    ("synthetic", "turns"): """
        with cat as (select row_number() over () - 1 as k, intent
                     from read_csv('{seeds}/banking77_intent_catalogue.csv'))
        select 'conv-' || (1 + (i - 1) // 4) as conversation_id, ((i - 1) % 4)::int as turn_index,
               case when (i - 1) % 2 = 0 then 'customer' else 'agent' end as speaker,
               'hello, I have a question about my account, message ' || i as text,
               timestamptz '2026-01-01 00:00:00+00' + to_seconds(i * 30) as sent_at,
               'chat' as channel, 'Acme Bank' as company, cat.intent,
               'neutral' as sentiment, 'resolved' as outcome, {lineage}
        from range(1, 201) t(i) join cat on cat.k = ((i - 1) // 4) % 77""",
}

MART_SQL: dict[str, str] = {
    "fct_turns": """
        select 'synthetic:conv-' || (1 + (i - 1) // 4) || ':' || ((i - 1) % 4) as turn_id,
               'synthetic:conv-' || (1 + (i - 1) // 4) as conversation_id,
               'synthetic' as source, ((i - 1) % 4)::int as turn_index,
               case when (i - 1) % 2 = 0 then 'customer' else 'agent' end as speaker,
               null::varchar as author_id,
               timestamptz '2026-01-01 00:00:00+00' + to_seconds(i * 30) as sent_at,
               'hello, a question about my account ' || i as text,
               'hello a question about my account ' || i as text_normalized,
               case when (i - 1) % 4 > 0 then 'synthetic:conv-' || (1 + (i - 1) // 4) || ':'
                    || ((i - 1) % 4 - 1) end as parent_turn_id,
               case when (i - 1) % 4 > 0 then 30 end::bigint as reply_delay_seconds,
               'card_arrival' as gold_intent, 'banking77' as intent_label_set,
               'banking77:card_arrival' as intent_id, 'neutral' as gold_sentiment,
               []::varchar[] as acts, []::varchar[] as services
        from range(1, 201) t(i)""",
    "fct_conversations": """
        select 'synthetic:conv-' || i as conversation_id, 'synthetic' as source,
               'conv-' || i as source_conversation_id, 'chat' as channel,
               'Acme Bank' as company, null::varchar as service,
               timestamptz '2026-01-01 00:00:00+00' + to_seconds(i * 120) as started_at,
               timestamptz '2026-01-01 00:01:30+00' + to_seconds(i * 120) as ended_at,
               4::int as turn_count, 2::int as customer_turn_count, 2::int as agent_turn_count,
               30::bigint as first_response_seconds, 'resolved' as outcome,
               'card_arrival' as gold_intent, 'banking77' as intent_label_set,
               'banking77:card_arrival' as intent_id
        from range(1, 51) t(i)""",
    "ml_training_examples": """
        with cat as (select row_number() over () - 1 as k, intent
                     from read_csv('{seeds}/banking77_intent_catalogue.csv'))
        select 'banking77:train-' || i as example_id, 'banking77' as source,
               'banking77' as label_set, 'please help me with my card, example ' || i as text,
               cat.intent as label,
               case when i % 10 < 7 then 'train' when i % 10 < 9 then 'validation'
                    else 'test' end as split
        from range(1, 309) t(i) join cat on cat.k = i % 77""",
}


def make_settings(root: Path) -> Settings:
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for name in ("banking77_intent_catalogue.csv", "bitext_intent_catalogue.csv"):
        shutil.copy(REPO_ROOT / "seeds" / name, seeds / name)
    paths = Paths(
        raw_dir=root / "raw",
        landing_dir=root / "landing",
        warehouse=root / "warehouse" / "supportlens.duckdb",
        published=root / "published" / "supportlens.duckdb",
        registry_dir=root / "models",
        gx_docs_dir=root / "gx_docs",
        reports_build_dir=root / "reports_build",
    )
    return Settings(project_root=root, paths=paths)


def landing_select(settings: Settings, source: str, table: str, load_id: str = "L1") -> str:
    lineage = LINEAGE.format(load=load_id, file=f"{source}/{table}.csv")
    return LANDING_SQL[(source, table)].format(
        seeds=settings.project_root / "seeds", lineage=lineage
    )


def write_landed(
    settings: Settings,
    source: str,
    table: str,
    transform: str = "select * from base",
    load_id: str = "L1",
) -> Path:
    """Write one landed table; `transform` is SQL over `base` (the good data) to break it."""
    folder = settings.paths.landing_dir / source / table
    shutil.rmtree(folder, ignore_errors=True)
    target = folder / f"load_id={load_id}" / "data.parquet"
    target.parent.mkdir(parents=True)
    base = landing_select(settings, source, table, load_id)
    with duckdb.connect() as conn:
        conn.execute("set TimeZone = 'UTC'")
        conn.execute(f"copy (with base as ({base}) {transform}) to '{target}' (format parquet)")
    return target


def write_marts(settings: Settings, transforms: dict[str, str] | None = None) -> None:
    transforms = transforms or {}
    settings.paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.paths.warehouse)) as conn:
        conn.execute("set TimeZone = 'UTC'")
        for table, sql in MART_SQL.items():
            base = sql.format(seeds=settings.project_root / "seeds")
            transform = transforms.get(table, "select * from base")
            conn.execute(f"create or replace table {table} as with base as ({base}) {transform}")
