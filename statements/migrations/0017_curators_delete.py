"""The groups again, now that curators write through the API as in the admin: they may also delete what the
workflow lets go (a draft statement, an actor or a topic nothing refers to; the services refuse the rest)."""

import importlib

from django.db import migrations

groups = importlib.import_module("statements.migrations.0003_groups")
previous = importlib.import_module("statements.migrations.0014_revision_permissions")

CURATOR_GRANTS = [
    *previous.CURATOR_GRANTS,
    ("statements", "statement", ("delete",)),
    ("statements", "topic", ("delete",)),
    ("actors", "actor", ("delete",)),
]

REVIEWER_GRANTS = previous.REVIEWER_GRANTS


def curator_codenames():
    return [(app_label, f"{action}_{model}") for app_label, model, actions in CURATOR_GRANTS for action in actions]


def reviewer_codenames():
    extra = [(app_label, codename) for app_label, _model, codename in groups.REVIEWER_EXTRA_GRANTS]
    return curator_codenames() + extra + REVIEWER_GRANTS


def create_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    groups.ensure_permissions(apps, using)
    for name, wanted in ((groups.CURATORS, curator_codenames()), (groups.REVIEWERS, reviewer_codenames())):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(groups.permissions_for(apps, using, wanted))


def restore_previous(apps, schema_editor):
    previous.create_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("statements", "0016_statement_changes")]

    operations = [migrations.RunPython(create_groups, restore_previous)]
