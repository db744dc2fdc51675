"""The groups again, for blind double tagging: curators tag the annotations assigned to them (their tags) and
read adjudications and rules; reviewers also assign, adjudicate and keep the assignment rules."""

import importlib

from django.db import migrations

groups = importlib.import_module("statements.migrations.0003_groups")
previous = importlib.import_module("statements.migrations.0017_curators_delete")

CURATOR_GRANTS = [
    *previous.CURATOR_GRANTS,
    ("statements", "annotation", ("change", "view")),
    ("statements", "annotationtag", ("add", "change", "delete", "view")),
    ("statements", "adjudication", ("view",)),
    ("statements", "assignmentrule", ("view",)),
    ("statements", "historicalannotation", ("view",)),
    ("statements", "historicaladjudication", ("view",)),
]
REVIEWER_GRANTS = [
    *previous.REVIEWER_GRANTS,
    ("statements", "add_annotation"),
    ("statements", "add_adjudication"),
    ("statements", "change_adjudication"),
    ("statements", "add_assignmentrule"),
    ("statements", "change_assignmentrule"),
    ("statements", "delete_assignmentrule"),
]


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
    dependencies = [("statements", "0018_annotations")]

    operations = [migrations.RunPython(create_groups, previous.create_groups)]
