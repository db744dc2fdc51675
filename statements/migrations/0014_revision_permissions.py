"""The groups again, now that curators' edits of published statements wait as revisions: curators read
revisions (and their history), reviewers also decide them (change)."""

import importlib

from django.db import migrations

groups = importlib.import_module("statements.migrations.0003_groups")
previous = importlib.import_module("statements.migrations.0011_history_permissions")

CURATOR_GRANTS = [
    *previous.CURATOR_GRANTS,
    ("statements", "revision", ("view",)),
    ("statements", "historicalrevision", ("view",)),
]
REVIEWER_GRANTS = [("statements", "change_revision")]


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


class Migration(migrations.Migration):
    dependencies = [("statements", "0013_revisions")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
