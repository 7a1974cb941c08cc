{#
  The one text normalisation (rule set normalize_text_v1) in plain SQL, so that dbt and
  the DuckDB CLI run it without Python. The rules are defined once, in
  supportlens/text.py (read its docstring for each rule and why NFC, not NFKC); the
  expression below is exactly what python_udfs/sql_macros.py renders from them (the
  persisted `normalize_text_sql` DuckDB macro). tests/udfs/test_text.py fails if the two
  differ by one character, and runs both, the Python function and the Arrow UDF on a
  generated corpus. To change a rule: edit supportlens/text.py under a new rule-set name,
  then run `python -m supportlens.python_udfs.dbt_macro`, which rewrites the body below.
    1. NUL removed, lower-case (simple case mapping), then Unicode NFC;
    2. Bitext placeholders {{...}}           -> <placeholder>
    3. URLs (http://, https://, www.)         -> <url> (trailing punctuation kept outside)
    4. e-mail addresses                      -> <email>
    5. @ followed by [a-z0-9_]               -> <user>
    6. numbers (digits with . , or : groups) -> <num>
    7. runs of whitespace (Python's str.isspace set) -> one space; ends trimmed. The
       pattern leaves a lone ' ' alone instead of replacing it by itself: matching every
       blank made this the slowest step (2.8 M tweets: 5.0 s -> 0.8 s), same result.
  Patterns are RE2 (no look-around, no back-references); `\x{hex}` is RE2's escape for
  one code point. NULL stays NULL.
#}
{#- One implementation per engine: Spark's (derived from this one) is in
    macros/engines/normalize_text_sql_spark.sql. -#}
{% macro normalize_text_sql(column) -%}
  {{ return(adapter.dispatch('normalize_text_sql')(column)) }}
{%- endmacro %}

{% macro default__normalize_text_sql(column) -%}
trim(
  regexp_replace(
    regexp_replace(
      regexp_replace(
        regexp_replace(
          regexp_replace(
            regexp_replace(
              nfc_normalize(lower(replace({{ column }}, chr(0), ''))),
              '\{\{[^}]*\}\}', '<placeholder>', 'g'),
            '(?:https?://|www\.)[^\x{9}-\x{d}\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}<>\"]*[^\x{9}-\x{d}\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}<>\".,;:!?)\]}'']', '<url>', 'g'),
          '[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}', '<email>', 'g'),
        '@[a-z0-9_]+', '<user>', 'g'),
      '[0-9]+(?:[.,:][0-9]+)*', '<num>', 'g'),
    '[\x{9}-\x{d}\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]{2,}|[\x{9}-\x{d}\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]', ' ', 'g'),
  ' ')
{%- endmacro %}
