{#
  The one text normalisation, in plain SQL so that dbt, SQLMesh and the DuckDB CLI all run
  it (python_udfs.normalize_text implements the same rules in Python). Rules, in order:
    1. Unicode NFC (DuckDB has no NFKC; the Python UDF applies NFKC, a superset for the
       compatibility characters that rarely occur in support text), then lower-case;
    2. Bitext placeholders {{...}}        -> <placeholder>
    3. URLs (http://, https://, www.)      -> <url>
    4. e-mail addresses                   -> <email>
    5. @mentions                          -> <user>
    6. numbers (digits, with . or , groups) -> <num>
    7. runs of whitespace -> one space; leading/trailing whitespace removed. The pattern
       leaves a lone ' ' alone instead of replacing it by itself: matching every blank
       made this the slowest step (2.8 M tweets: 5.0 s -> 0.8 s), same result.
  Patterns are ASCII-only (RE2 semantics; Python: re.ASCII). NULL stays NULL.
#}
{% macro normalize_text_sql(column) -%}
trim(
  regexp_replace(
    regexp_replace(
      regexp_replace(
        regexp_replace(
          regexp_replace(
            regexp_replace(
              lower(nfc_normalize({{ column }})),
              '\{\{[^}]*\}\}', '<placeholder>', 'g'),
            '(?:https?://|www\.)[^\s]+', '<url>', 'g'),
          '[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}', '<email>', 'g'),
        '@[a-z0-9_]+', '<user>', 'g'),
      '[0-9]+(?:[.,][0-9]+)*', '<num>', 'g'),
    '\s{2,}|[\t\n\f\r]', ' ', 'g')
)
{%- endmacro %}
