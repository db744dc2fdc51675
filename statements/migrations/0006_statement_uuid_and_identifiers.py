"""Every statement gets a uuid for life; statements get identifiers in other systems; created_at becomes data an import can keep."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models


def give_every_statement_a_uuid(apps, schema_editor):
    """A different uuid per existing statement (a column default would give them all the same one)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("UPDATE statements_statement SET uuid = gen_random_uuid() WHERE uuid IS NULL")
        schema_editor.execute(
            "UPDATE statements_historicalstatement h SET uuid = s.uuid FROM statements_statement s WHERE s.id = h.id"
        )
        schema_editor.execute("UPDATE statements_historicalstatement SET uuid = gen_random_uuid() WHERE uuid IS NULL")
        return
    Statement = apps.get_model("statements", "Statement")
    HistoricalStatement = apps.get_model("statements", "HistoricalStatement")
    given = {}
    for statement in Statement.objects.filter(uuid__isnull=True).only("pk"):
        statement.uuid = given[statement.pk] = uuid.uuid4()
        statement.save(update_fields=["uuid"])
    for record in HistoricalStatement.objects.filter(uuid__isnull=True).only("pk", "id"):
        record.uuid = given.get(record.id) or uuid.uuid4()
        record.save(update_fields=["uuid"])


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0005_tag_indexes_for_tag_level_filters'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Added empty, filled one by one, then made unique and required: the documented way to add a unique field.
        migrations.AddField(
            model_name='historicalstatement',
            name='uuid',
            field=models.UUIDField(null=True, editable=False, verbose_name='UUID'),
        ),
        migrations.AddField(
            model_name='statement',
            name='uuid',
            field=models.UUIDField(null=True, editable=False, verbose_name='UUID'),
        ),
        migrations.RunPython(give_every_statement_a_uuid, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name='historicalstatement',
            name='uuid',
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False, verbose_name='UUID'),
        ),
        migrations.AlterField(
            model_name='statement',
            name='uuid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='UUID'),
        ),
        migrations.AlterField(
            model_name='historicalstatement',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name='statement',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.CreateModel(
            name='HistoricalStatementIdentifier',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('scheme', models.CharField(help_text='gdelt, icews, polecat, plover…', max_length=32, validators=[django.core.validators.RegexValidator('^[a-z][a-z0-9_-]{0,31}$', 'A scheme is a short lower-case name: gdelt, icews, polecat, plover.')])),
                ('value', models.CharField(max_length=100, validators=[django.core.validators.RegexValidator('^[^\\s|]+$', 'An identifier is one token: no spaces and no | (the CSV export joins identifiers with it).')])),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('statement', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='statements.statement')),
            ],
            options={
                'verbose_name': 'historical statement identifier',
                'verbose_name_plural': 'historical statement identifiers',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='StatementIdentifier',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scheme', models.CharField(help_text='gdelt, icews, polecat, plover…', max_length=32, validators=[django.core.validators.RegexValidator('^[a-z][a-z0-9_-]{0,31}$', 'A scheme is a short lower-case name: gdelt, icews, polecat, plover.')])),
                ('value', models.CharField(max_length=100, validators=[django.core.validators.RegexValidator('^[^\\s|]+$', 'An identifier is one token: no spaces and no | (the CSV export joins identifiers with it).')])),
                ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='identifiers', to='statements.statement')),
            ],
            options={
                'ordering': ['scheme', 'value'],
                'constraints': [models.UniqueConstraint(fields=('scheme', 'value'), name='statement_identifier_unique_per_scheme'), models.CheckConstraint(condition=models.Q(models.Q(('scheme', 'uuid'), _negated=True), models.Q(('scheme', ''), _negated=True), models.Q(('value', ''), _negated=True)), name='statement_identifier_valid')],
            },
        ),
    ]
