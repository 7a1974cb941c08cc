{#
  Spark's normalize_text_sql (the dispatcher is in macros/normalize_text_sql.sql). The
  rules live once, in DuckDB's spelling, in default__normalize_text_sql (itself rendered
  from python_udfs/text.py); Spark's version is derived from that text, so a rule change
  reaches both engines:
    - Spark SQL string literals read a backslash as an escape: every backslash is doubled
      (the regexes are RE2 and read the same in Java's engine, `\x{hex}` included);
    - Spark's regexp_replace replaces every match: DuckDB's 'g' flag is dropped;
    - Spark's trim(str, chars) is btrim;
    - Spark has no Unicode normalisation function, so NFC is skipped. Text that is not
      already NFC (rare: decomposed accents) normalises differently; tests/spark compares
      the engines' text_normalized row for row and lists any such row.
  A construct this translation does not know fails the compile instead of running wrong.
#}
{% macro spark__normalize_text_sql(column) -%}
  {%- set sql = default__normalize_text_sql(column) | trim -%}
  {%- set sql = sql.replace("nfc_normalize(", "(").replace(", 'g')", ")") -%}
  {%- set sql = sql.replace("\\", "\\\\") -%}
  {%- if sql.startswith("trim(") -%}
    {%- set sql = "btrim(" ~ sql[5:] -%}
  {%- endif -%}
  {%- for unknown in ["nfc_normalize", "'g'", "regexp_full_match", "strip_accents"] if unknown in sql -%}
    {{ exceptions.raise_compiler_error("spark__normalize_text_sql cannot translate " ~ unknown ~ " from default__normalize_text_sql") }}
  {%- endfor -%}
  {{ return(sql) }}
{%- endmacro %}
