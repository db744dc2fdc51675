"""The streaming export: every matching statement in one CSV or NDJSON file, by API and by command."""

import csv
import io
import json
import threading

from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

import pytest

from actors.models import ActorKind
from statements import exchange
from statements.models import Citation, Polarity, Source, Statement, StatementIdentifier, Status
from tests.answers import errors_of
from tests.factories import make_actor, make_statement, make_tag, make_topic

EXPORT = reverse("statement-export")


@pytest.fixture
def world(db, curator_user):
    """Three published statements (one in Japanese, by a speaker with a CJK name), a draft, tags and sources."""

    class World:
        japan = make_actor("Japan", kind=ActorKind.STATE, slug="japan")
        china = make_actor("China", kind=ActorKind.STATE, slug="china", names=[("中国", "zh-Hans")])
        koizumi = make_actor("Shinjiro Koizumi", slug="shinjiro-koizumi", names=[("小泉進次郎", "ja")])
        taiwan = make_topic("Taiwan", slug="taiwan")
        briefing = make_statement([koizumi], [china], date="2025-12-10", summary="Grave concerns | radar")
        remarks = make_statement([japan], date="2025-11-07", text="台湾有事は日本有事", language="ja")
        warning = make_statement([china], [japan], date="2025-12-01", text="A warning.")
        draft = make_statement([japan], date="2025-12-11", status=Status.DRAFT, text="Not yet published.")

    source = Source.objects.create(url="https://example.org/a", publisher="Kyodo", title='Title, with "quotes"')
    Citation.objects.create(statement=World.briefing, source=source, attribution="according to the ministry")
    StatementIdentifier.objects.create(statement=World.briefing, scheme="gdelt", value="1234567")
    make_tag(World.briefing, "K1", curator_user, target_actor=World.china, intensity=3)
    make_tag(World.briefing, "E2", curator_user, polarity=Polarity.NEUTRAL, intensity=0)
    make_tag(World.remarks, "A2", curator_user, target_topic=World.taiwan, polarity=Polarity.FAVOR)
    return World


def download(client, **params):
    response = client.get(EXPORT, params)
    assert response.status_code == 200, response.content
    assert response.streaming
    return response, b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_a_header_and_one_row_per_published_statement(api, world):
    response, text = download(api, format="csv")

    rows = csv_rows(text)
    assert text.splitlines()[0].split(",")[:3] == ["uuid", "identifiers", "date"]
    assert {row["uuid"] for row in rows} == {
        str(statement.uuid) for statement in (world.briefing, world.remarks, world.warning)
    }
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_anonymous_clients_never_get_a_draft_and_curators_do(api, world, django_user_model):
    _, anonymous = download(api, format="ndjson")
    curator = django_user_model.objects.create_user("reader", password="reader-password-1")
    curator.user_permissions.add(Permission.objects.get(codename="view_statement"))
    api.force_authenticate(django_user_model.objects.get(pk=curator.pk))
    _, curators = download(api, format="ndjson")

    assert str(world.draft.uuid) not in anonymous
    assert str(world.draft.uuid) in curators
    assert len(curators.splitlines()) == 4


def test_the_list_filters_apply_and_name_the_file(api, world):
    response, text = download(api, format="csv", speaker="china", stance="W")
    _, briefing_only = download(api, format="csv", speaker="shinjiro-koizumi")

    assert csv_rows(text) == []
    assert [row["uuid"] for row in csv_rows(briefing_only)] == [str(world.briefing.uuid)]
    assert 'filename="statements_speaker-china_stance-W-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.csv"')


def test_lists_and_nested_values_are_readable_and_lossless(api, world):
    _, text = download(api, format="csv", speaker="shinjiro-koizumi")
    [row] = csv_rows(text)

    assert row["speakers"] == "shinjiro-koizumi"
    assert row["recipient_names"] == "China"
    assert row["identifiers"] == "gdelt:1234567"
    assert row["summary"] == "Grave concerns | radar"
    assert json.loads(row["sources"]) == [
        {
            "url": "https://example.org/a",
            "publisher": "Kyodo",
            "title": 'Title, with "quotes"',
            "published_on": None,
            "attribution": "according to the ministry",
        }
    ]
    assert [tag["category"] for tag in json.loads(row["stance_tags"])] == ["E2", "K1"]


def test_names_in_every_script_come_out_intact_in_utf8(api, world):
    _, text = download(api, format="ndjson", speaker="japan")

    remarks = next(json.loads(line) for line in text.splitlines() if "台湾有事" in line)
    assert remarks["text"] == "台湾有事は日本有事"
    assert remarks["language"] == "ja"


def test_the_tags_shape_has_one_row_per_tag_with_its_statements_columns(api, world):
    _, text = download(api, format="csv", shape="tags")

    rows = csv_rows(text)
    assert sorted((row["tag_category"], row["tag_family"], row["tag_target_actor"]) for row in rows) == [
        ("A2", "A", ""),
        ("E2", "E", ""),
        ("K1", "K", "china"),
    ]
    # The warning has no tag, so no row; each row carries its statement's columns.
    assert {row["uuid"] for row in rows} == {str(world.briefing.uuid), str(world.remarks.uuid)}
    assert all(row["date"] and row["speakers"] for row in rows)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"format": "xml"}, "format"), ({"shape": "wide"}, "shape"), ({"speaker": "nobody"}, "speaker")],
)
def test_a_bad_parameter_is_a_json_400_naming_it(api, world, params, parameter):
    response = api.get(EXPORT, params)

    assert response.status_code == 400
    assert parameter in errors_of(response)


def test_export_streams_in_batches_of_statements(world):
    chunks = list(exchange.export(Statement.objects.all(), "ndjson", "statements", batch_size=2))

    # The header (empty for NDJSON), then two statements, two, and the last batches.
    assert [chunk.count(b"\n") for chunk in chunks] == [0, 2, 2]


def test_the_command_writes_what_the_api_serves_and_every_status(world, tmp_path):
    path = tmp_path / "all.ndjson"
    call_command("export_statements", "--format", "ndjson", "--output", str(path))
    call_command("export_statements", "--format", "ndjson", "--speaker", "china", "--output", str(tmp_path / "c"))

    assert len(path.read_text(encoding="utf-8").splitlines()) == 4
    assert [json.loads(line)["uuid"] for line in (tmp_path / "c").read_text().splitlines()] == [str(world.warning.uuid)]


def test_the_command_refuses_bad_filters_naming_them(world):
    with pytest.raises(CommandError, match="--date-after: 'yesterday' is not an ISO date"):
        call_command("export_statements", "--date-after", "yesterday")


def test_the_openapi_document_describes_both_formats_and_every_column(api, db):
    schema = api.get(reverse("schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/statements/export/"]["get"]

    assert {"text/csv", "application/x-ndjson"} <= set(operation["responses"]["200"]["content"])
    assert all(f"`{column.name}`" in operation["description"] for column in exchange.COLUMNS["tags"])
    assert {"format", "shape", "speaker", "stance", "q"} <= {parameter["name"] for parameter in operation["parameters"]}


def write_late_statement():
    try:
        make_statement([make_actor("Late speaker")], date="2025-12-02", text="Too late.")
    finally:
        connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="cursors WITH HOLD are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_the_export_streams_from_one_snapshot():
    """Outside a transaction Django would declare the cursor WITH HOLD, which computes every row before the
    first (under the statement timeout); the export opens a REPEATABLE READ transaction for its cursor."""
    for number in range(3):
        make_statement([make_actor(f"Speaker {number}")], date="2025-12-01", text=f"Statement {number}.")
    chunks = exchange.export(Statement.objects.all(), "csv", "statements", batch_size=1)

    header = next(chunks)
    assert connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone() == ("repeatable read",)
    first = next(chunks)
    # Written by another connection after the export began: its snapshot does not see it.
    writer = threading.Thread(target=write_late_statement)
    writer.start()
    writer.join()
    rest = b"".join(chunks)

    assert not connection.in_atomic_block
    rows = csv_rows((header + first + rest).decode())
    assert [row["text"] for row in rows] == ["Statement 0.", "Statement 1.", "Statement 2."]
