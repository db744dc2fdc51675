"""Create the `curators` and `reviewers` groups, so access works from the first migration on.

Curators create and edit actors, statements and their parts, and read the audit trail; they may
delete only parts owned by a parent (a name, a role, a citation, a tag), never an actor, a
statement, a source or a topic. Reviewers are curators who may also publish and retract.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATORS = "curators"
REVIEWERS = "reviewers"

# (app label, model, actions). Deletion only where the row is a part owned by its parent.
CURATOR_GRANTS = [
    ("actors", "actor", ("add", "change", "view")),
    ("actors", "actorname", ("add", "change", "delete", "view")),
    ("actors", "actoridentifier", ("add", "change", "delete", "view")),
    ("actors", "role", ("add", "change", "delete", "view")),
    ("statements", "statement", ("add", "change", "view")),
    ("statements", "citation", ("add", "change", "delete", "view")),
    ("statements", "source", ("add", "change", "view")),
    ("statements", "topic", ("add", "change", "view")),
    ("statements", "topicalias", ("add", "change", "delete", "view")),
    ("statements", "stancetag", ("add", "change", "delete", "view")),
    ("statements", "taxonomy", ("view",)),
    ("statements", "stancecategory", ("view",)),
    # The audit trail (django-simple-history), read-only.
    ("actors", "historicalactor", ("view",)),
    ("actors", "historicalrole", ("view",)),
    ("statements", "historicalstatement", ("view",)),
    ("statements", "historicalcitation", ("view",)),
    ("statements", "historicalstancetag", ("view",)),
]
REVIEWER_EXTRA_GRANTS = [("statements", "statement", "publish_statement")]


def curator_codenames():
    return [(app_label, f"{action}_{model}") for app_label, model, actions in CURATOR_GRANTS for action in actions]


def reviewer_codenames():
    return curator_codenames() + [(app_label, codename) for app_label, _model, codename in REVIEWER_EXTRA_GRANTS]


def ensure_permissions(apps, using):
    # Permissions are normally created post_migrate, after every migration has run; create them
    # now from the historical models. create_permissions skips app configs without a models
    # module, which the migration state's app configs never have, hence the temporary flag.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = models_module


def permissions_for(apps, using, wanted):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codename in wanted:
        try:
            found.append(Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename))
        except Permission.DoesNotExist as error:
            # A misspelled grant must fail the migration, not silently grant less.
            raise RuntimeError(f"Permission {app_label}.{codename} does not exist") from error
    return found


def create_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    ensure_permissions(apps, using)
    for name, wanted in ((CURATORS, curator_codenames()), (REVIEWERS, reviewer_codenames())):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        # set() makes a rerun converge on exactly these permissions.
        group.permissions.set(permissions_for(apps, using, wanted))


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=[CURATORS, REVIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0001_initial"),
        ("statements", "0002_default_taxonomy"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
