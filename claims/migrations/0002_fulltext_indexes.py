"""Full-text search indexes, on PostgreSQL only (SQLite falls back to substring search).

The expressions must match CLAIM_TSVECTOR and ARTICLE_TSVECTOR in claims/models.py.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS claim_text_fts ON claims_claim "
    "USING gin (to_tsvector('english'::regconfig, text))",
    "CREATE INDEX IF NOT EXISTS article_text_fts ON claims_article "
    "USING gin (to_tsvector('english'::regconfig, left(title || ' ' || body, 200000)))",
]
DROP = ["DROP INDEX IF EXISTS claim_text_fts", "DROP INDEX IF EXISTS article_text_fts"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
