"""The groups again, converging on exactly their permissions now that names, identifiers, topics, sources and
the taxonomy keep a history: curators and reviewers read it (as they read the statements' own)."""

import importlib

from django.db import migrations

groups = importlib.import_module("statements.migrations.0003_groups")
previous = importlib.import_module("statements.migrations.0007_identifier_permissions")

CURATOR_GRANTS = [
    *previous.CURATOR_GRANTS,
    ("actors", "historicalactorname", ("view",)),
    ("actors", "historicalactoridentifier", ("view",)),
    ("statements", "historicaltopic", ("view",)),
    ("statements", "historicaltopicalias", ("view",)),
    ("statements", "historicalsource", ("view",)),
    ("statements", "historicaltaxonomy", ("view",)),
    ("statements", "historicalstancecategory", ("view",)),
]


def curator_codenames():
    return [(app_label, f"{action}_{model}") for app_label, model, actions in CURATOR_GRANTS for action in actions]


def reviewer_codenames():
    extra = [(app_label, codename) for app_label, _model, codename in groups.REVIEWER_EXTRA_GRANTS]
    return curator_codenames() + extra


def create_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    groups.ensure_permissions(apps, using)
    for name, wanted in ((groups.CURATORS, curator_codenames()), (groups.REVIEWERS, reviewer_codenames())):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(groups.permissions_for(apps, using, wanted))


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0010_history_of_topics_sources_and_taxonomy"),
        ("actors", "0002_actor_name_and_identifier_history"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
