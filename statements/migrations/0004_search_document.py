"""Full-text search that an index serves, on PostgreSQL.

- `statement_search`, a text search configuration: words stemmed as English (concerns, concerned →
  concern) but no stop words dropped, since "US" and "WHO" are names here, not noise.
- `statements_statement.search_document`, a tsvector column the database keeps (GENERATED … STORED)
  from the summary (weight A) and the text (weight B), with a GIN index. The model does not
  declare it, so no query selects it by accident; `statements.search` reads it.
- pg_trgm and a trigram index for the scripts the parser does not split into words (Japanese,
  Chinese, Korean, Thai, …): partial, over the statements whose text or summary holds such
  characters, so it stays small and a one- or two-character query scans only those statements.

SQLite has none of this: there `q` is a plain substring match. The predicate of the partial index
must stay textually equal to `statements.search.NO_SPACE_SCRIPT_CONDITION` (a test checks the plan).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FORWARD = r"""
CREATE TEXT SEARCH DICTIONARY statement_english_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION statement_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION statement_search
    ALTER MAPPING FOR asciiword, word, asciihword, hword, hword_asciipart, hword_part WITH statement_english_stem;
ALTER TABLE statements_statement ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('statement_search'::regconfig, summary), 'A')
    || setweight(to_tsvector('statement_search'::regconfig, text), 'B')
) STORED;
CREATE INDEX statement_search_document ON statements_statement USING gin (search_document);
CREATE INDEX statement_no_space_script_trigram ON statements_statement
    USING gin ((text || ' ' || summary) gin_trgm_ops)
    WHERE (text || ' ' || summary) ~ '[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]';
"""

BACKWARD = """
DROP INDEX IF EXISTS statement_no_space_script_trigram;
DROP INDEX IF EXISTS statement_search_document;
ALTER TABLE statements_statement DROP COLUMN IF EXISTS search_document;
DROP TEXT SEARCH CONFIGURATION IF EXISTS statement_search;
DROP TEXT SEARCH DICTIONARY IF EXISTS statement_english_stem;
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql.split(";"):
                if statement.strip():
                    schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("statements", "0003_groups")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False),
    ]
