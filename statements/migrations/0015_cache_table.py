"""The database cache's table (settings.CACHES, when it is the database): made with the schema, on every database
the project migrates, so that no one has to remember `createcachetable`."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("statements", "0014_revision_permissions")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
