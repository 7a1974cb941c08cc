"""Benchmark: land a full-scale `twcs.csv` and compare with DuckDB's own CSV → Parquet copy.

    python benchmarks/land_twcs.py [--rows 2811774] [--file twcs.csv] [--work-dir DIR]

Without `--file` the script writes a TWCS-shaped file (Kaggle columns exactly) with the
project's generator when it exists, else with a quick seeded DuckDB query below. Each
measurement runs in a fresh child process so that peak RSS is that run's alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FULL_SCALE_ROWS = 2_811_774

#: Seeded, hash-based rows: DuckDB writes 2.8 M rows in seconds with bounded memory.
#: Roughly one tweet in two is inbound; texts carry commas, quotes, newlines and emoji
#: like the real file, and reply links point at neighbouring ids.
GENERATE_SQL = """
copy (
    with numbered as (
        select i + 1 as tweet_id, (hash(i, {seed}) >> 1)::bigint as h from range({rows}) as t(i)
    )
    select
        tweet_id,
        case when h % 2 = 0 then (100000 + h % 700000)::varchar
             else ['AppleSupport', 'AmazonHelp', 'Uber_Support', 'SpotifyCares',
                   'sprintcare', 'comcastcares', 'Delta', 'VirginTrains'][1 + (h // 7) % 8]
        end as author_id,
        case when h % 2 = 0 then 'True' else 'False' end as inbound,
        strftime(timestamp '2017-10-01' + to_seconds((tweet_id * 37 + h % 600)::bigint % 5184000),
                 '%a %b %d %H:%M:%S +0000 %Y') as created_at,
        concat_ws(' ',
            '@' || ((h // 3) % 900000 + 100000)::varchar,
            ['my order still has not arrived,', 'why is the app crashing again',
             'thanks for the help 🙏', 'I was charged twice for "premium"',
             'can you DM me? my account is locked', 'the train was late
again today'][1 + (h // 11) % 6],
            repeat('please help, ', (h // 13 % 6)::int),
            'ref ' || (h % 1000000)::varchar) as text,
        case when h % 5 = 0 then null
             when h % 7 = 0 then (tweet_id + 1)::varchar || ',' || (tweet_id + 2)::varchar
             else (tweet_id + 1)::varchar end as response_tweet_id,
        case when h % 3 = 0 then null else (tweet_id - 1)::varchar || '.0' end
            as in_response_to_tweet_id
    from numbered
) to '{path}' (header true)
"""


def generate_twcs(path: Path, rows: int, seed: int = 42) -> None:
    try:
        from ingest.generate import twcs as project_generator  # type: ignore[import-not-found]
    except ImportError:
        project_generator = None
    if project_generator is not None and hasattr(project_generator, "write_twcs"):
        project_generator.write_twcs(path, rows=rows, seed=seed)
        return
    import duckdb

    with duckdb.connect() as conn:
        conn.execute(GENERATE_SQL.format(rows=rows, seed=seed, path=str(path).replace("'", "''")))
