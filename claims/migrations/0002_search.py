"""Full-text search: tsvector columns kept by triggers, with GIN indexes (PostgreSQL only).

On SQLite the columns exist but stay empty; search falls back to substring matching
(ClaimQuerySet.search). Article text is cut at 200,000 characters so a huge article can never
exceed tsvector's 1 MB limit and fail to save.
"""

import django.contrib.postgres.search
from django.db import migrations, models

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION claims_article_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := to_tsvector(
            'english'::regconfig,
            left(coalesce(NEW.title, '') || ' ' || coalesce(NEW.body, ''), 200000)
        );
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_article_search_vector
    BEFORE INSERT OR UPDATE OF title, body ON claims_article
    FOR EACH ROW EXECUTE FUNCTION claims_article_search_vector()
    """,
    """
    CREATE FUNCTION claims_claim_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := to_tsvector('english'::regconfig, coalesce(NEW.text, ''));
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_claim_search_vector
    BEFORE INSERT OR UPDATE OF text ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claims_claim_search_vector()
    """,
    "UPDATE claims_article SET title = title",
    "UPDATE claims_claim SET text = text",
    "CREATE INDEX claims_article_search ON claims_article USING gin (search_vector)",
    "CREATE INDEX claims_claim_search ON claims_claim USING gin (search_vector)",
]

POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS claims_claim_search",
    "DROP INDEX IF EXISTS claims_article_search",
    "DROP TRIGGER IF EXISTS claims_claim_search_vector ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_search_vector()",
    "DROP TRIGGER IF EXISTS claims_article_search_vector ON claims_article",
    "DROP FUNCTION IF EXISTS claims_article_search_vector()",
]


def on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='claim',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['workspace', '-score', 'id'], name='claim_queue_order'),
        ),
        migrations.RunPython(on_postgres(POSTGRES_FORWARD), on_postgres(POSTGRES_BACKWARD)),
    ]
