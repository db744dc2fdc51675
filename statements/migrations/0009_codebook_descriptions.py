"""Give every DST v1 category its codebook description (statements/codebook.toml), where it has none."""

from django.db import migrations


def describe(apps, schema_editor):
    from statements.codebook import descriptions

    StanceCategory = apps.get_model("statements", "StanceCategory")
    for code, description in descriptions().items():
        StanceCategory.objects.filter(taxonomy__slug="dst-v1", code=code, description="").update(
            description=description
        )


def undescribe(apps, schema_editor):
    from statements.codebook import descriptions

    StanceCategory = apps.get_model("statements", "StanceCategory")
    for code, description in descriptions().items():
        StanceCategory.objects.filter(taxonomy__slug="dst-v1", code=code, description=description).update(
            description=""
        )


class Migration(migrations.Migration):
    dependencies = [("statements", "0008_statement_date_and_language_validators")]

    operations = [migrations.RunPython(describe, undescribe)]
