"""Full-text search columns.

The columns exist on every database so the model is the same everywhere, but only PostgreSQL
fills them: a BEFORE INSERT OR UPDATE trigger computes each row's weighted vector (title A,
teaser B, body C, English stemming), so bulk_create, queryset.update() and raw SQL keep it right
too, and a GIN index serves the search page. The trigger and index are created by RunPython
only when the database is PostgreSQL; SQLite keeps the columns empty and the site falls back
to a plain icontains search there. The index is deliberately not in the model's Meta, because
SQLite cannot create a GIN index.
"""

from django.db import migrations

import django.contrib.postgres.search

POSTGRES_FORWARDS = """
CREATE FUNCTION briefings_article_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.teaser, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER briefings_article_search_vector_trigger
  BEFORE INSERT OR UPDATE ON briefings_article
  FOR EACH ROW EXECUTE FUNCTION briefings_article_search_vector();
CREATE INDEX briefings_article_search_gin ON briefings_article USING gin (search_vector);
UPDATE briefings_article SET title = title;

CREATE FUNCTION briefings_issue_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.leader, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER briefings_issue_search_vector_trigger
  BEFORE INSERT OR UPDATE ON briefings_issue
  FOR EACH ROW EXECUTE FUNCTION briefings_issue_search_vector();
CREATE INDEX briefings_issue_search_gin ON briefings_issue USING gin (search_vector);
UPDATE briefings_issue SET title = title;
"""

POSTGRES_BACKWARDS = """
DROP TRIGGER IF EXISTS briefings_article_search_vector_trigger ON briefings_article;
DROP FUNCTION IF EXISTS briefings_article_search_vector();
DROP INDEX IF EXISTS briefings_article_search_gin;
DROP TRIGGER IF EXISTS briefings_issue_search_vector_trigger ON briefings_issue;
DROP FUNCTION IF EXISTS briefings_issue_search_vector();
DROP INDEX IF EXISTS briefings_issue_search_gin;
"""


def postgres_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('briefings', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='issue',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(
            postgres_only(POSTGRES_FORWARDS), postgres_only(POSTGRES_BACKWARDS), elidable=False
        ),
    ]
