"""The groups again, converging on exactly their permissions now that statements have identifiers.

Curators and reviewers also record statements' identifiers in other systems and read their history.
The grants of 0003_groups stay the base; this migration's lists are the groups' whole permissions
from here on, so rerunning it restores a group someone edited by hand.
"""

import importlib

from django.db import migrations

# 0003_groups knows how to create permissions from historical models and refuses a misspelled grant.
groups = importlib.import_module("statements.migrations.0003_groups")

CURATOR_GRANTS = [
    *groups.CURATOR_GRANTS,
    ("statements", "statementidentifier", ("add", "change", "delete", "view")),
    ("statements", "historicalstatementidentifier", ("view",)),
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
    dependencies = [("statements", "0006_statement_uuid_and_identifiers")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
