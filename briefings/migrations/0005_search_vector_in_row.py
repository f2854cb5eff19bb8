"""Keep each article's search vector in its row, not in the TOAST table (PostgreSQL only).

A search ranks every matching article, reading each one's vector: about 4.7 KB for a
350-word article, and vectors hardly compress, so PostgreSQL stored them out of line, and each
cost a TOAST index lookup and two more page reads. Ranking 851 matches took about 4 ms of a
10 ms query that way, about 1 ms with the vectors in the rows (bench/README.md, ninth session).
STORAGE MAIN keeps the vector in the row, and toast_tuple_target lets a row fill a page before
PostgreSQL moves anything out: a long body goes first, and a vector only if the row still does
not fit. Touching every row makes the trigger write each vector afresh, in the row.
"""

from django.db import migrations

FORWARDS = """
ALTER TABLE briefings_article ALTER COLUMN search_vector SET STORAGE MAIN;
ALTER TABLE briefings_article SET (toast_tuple_target = 8160);
UPDATE briefings_article SET title = title;
"""

BACKWARDS = """
ALTER TABLE briefings_article ALTER COLUMN search_vector SET STORAGE EXTENDED;
ALTER TABLE briefings_article RESET (toast_tuple_target);
"""


def postgres_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0004_article_slug_message"),
    ]

    operations = [
        migrations.RunPython(postgres_only(FORWARDS), postgres_only(BACKWARDS), elidable=False),
    ]
