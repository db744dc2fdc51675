"""The admin's CSV and XLSX import and export of statements and actors, as curators use them.

Every import is previewed first (what will be created, changed, left as it is, or refused, with
the line of each problem) and writes nothing until confirmed.
"""

import csv
import datetime
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import openpyxl
import pytest

from actors.models import Actor, ActorIdentifier, ActorKind, ActorName
from statements import exchange
from statements.models import Citation, Source, Statement, StatementIdentifier, Status
from tests.factories import make_actor, make_statement, make_tag, make_topic

CSV, XLSX = "0", "1"  # the formats' positions on the import and export forms


@pytest.fixture
def curator(db):
    """A staff member of the curators group: adds and changes actors and statements, may not publish."""
    user = get_user_model().objects.create_user("curator", password="curator-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    return user


def csv_file(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def xlsx_file(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_table(content, format):
    """The rows of an exported file, header first, as text."""
    if format == CSV:
        return list(csv.reader(io.StringIO(content.decode())))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def upload(client, model, content, format, **fields):
    """Post a file to the model's import page: the preview (a dry run)."""
    name = "upload.csv" if format == CSV else "upload.xlsx"
    return client.post(
        reverse(f"admin:{model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": format, "resource": "0", **fields},
    )


def confirm(client, model, preview):
    """Confirm a previewed import, posting the confirmation form as the preview rendered it."""
    assert preview.status_code == 200
    assert "confirm_form" in preview.context, "the preview offers no confirmation"
    return client.post(reverse(f"admin:{model}_process_import"), preview.context["confirm_form"].initial)


def invalid_lines(response):
    """{line: {column: [messages]}} of every refused row the page shows."""
    return {row.number: row.error_dict for row in response.context["result"].invalid_rows}


def export(client, model, format, **params):
    url = reverse(f"admin:{model}_export")
    if params:
        url += "?" + "&".join(f"{name}={value}" for name, value in params.items())
    response = client.post(url, {"format": format, "resource": "0"})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment")
    return response.content


# Statements

STATEMENTS = "statements_statement"
STATEMENT_HEADER = [column.name for column in exchange.COLUMNS["statements"]]


@pytest.fixture
def world(db, curator_user):
    """Koizumi's draft briefing (with a gdelt identifier), China's published warning, and what they name."""

    class World:
        japan = make_actor("Japan", kind=ActorKind.STATE, slug="japan")
        china = make_actor("China", kind=ActorKind.STATE, slug="china", names=[("中国", "zh-Hans")])
        koizumi = make_actor("Shinjiro Koizumi", slug="shinjiro-koizumi", names=[("小泉進次郎", "ja")])
        radar = make_topic("Fire-control radar incident", slug="radar")
        briefing = make_statement(
            [koizumi], [china], date="2025-12-10", status=Status.DRAFT, summary="Grave concerns over the radar."
        )
        warning = make_statement([china], [japan], date="2025-12-01", text="A warning.")

    source = Source.objects.create(url="https://example.org/readout", publisher="Japan Ministry of Defense")
    Citation.objects.create(statement=World.warning, source=source)
    StatementIdentifier.objects.create(statement=World.briefing, scheme="gdelt", value="1234567")
    make_tag(World.briefing, "K1", curator_user, target_actor=World.china, intensity=3)
    return World


def statement_row(**values):
    """A row of the statements shape: English, and empty cells but for `values`."""
    values = {"language": "en", **values}
    return [values.get(name, "") for name in STATEMENT_HEADER]


def exported_row(statement, **changes):
    """The statement's row as the export writes it, with `changes`."""
    content = b"".join(exchange.export(Statement.objects.filter(pk=statement.pk), "csv", "statements"))
    header, row = csv.reader(io.StringIO(content.decode()))
    return [changes.get(name, cell) for name, cell in zip(header, row, strict=True)]


NEW_UUID = "0b9c5a57-6f0c-4d2a-9c43-8f1b3a1e2d10"


def briefing_and_a_new_statement(world):
    """The briefing with a new summary, an unchanged warning, and a new statement by Japan."""
    return [
        STATEMENT_HEADER,
        exported_row(world.briefing, summary="Grave concerns over the radar lock-on, twice."),
        exported_row(world.warning),
        statement_row(
            uuid=NEW_UUID,
            identifiers="gdelt:7654321",
            date="2025-12-12",
            channel="press_conference",
            speakers="japan",
            recipients="china",
            topics="radar",
            text="We lodged a strong protest.",
            is_direct_quote="true",
            stance_tags='[{"category":"O1","target_actor":"china","polarity":"against","intensity":3,"curator":"tagger"}]',
        ),
    ]


def typed(rows):
    """Rows as a spreadsheet holds them once someone has edited the file: dates, booleans and numbers typed."""

    def cell(value):
        if value in {"true", "false"}:
            return value == "true"
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value

    return [rows[0], *[[cell(value) for value in row] for row in rows[1:]]]


@pytest.mark.parametrize("format", [CSV, XLSX])
def test_statement_import_previews_new_and_changed_statements_and_writes_only_once_confirmed(
    client, curator, world, format
):
    client.force_login(curator)
    rows = briefing_and_a_new_statement(world)
    content = csv_file(rows) if format == CSV else xlsx_file(typed(rows))
    count, version = Statement.objects.count(), world.briefing.version

    preview = upload(client, STATEMENTS, content, format, status=Status.DRAFT)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_validation_errors(), invalid_lines(preview)
    assert [(row.diff[0], row.import_type) for row in result.rows] == [(2, "update"), (3, "skip"), (4, "new")]
    assert result.totals["new"] == result.totals["update"] == result.totals["skip"] == 1
    # The changed summary is shown as before and after; the new statement in full.
    assert "<span>Grave concerns over the radar</span><ins" in preview.text
    assert " lock-on, twice</ins><span>.</span>" in preview.text
    for shown in ["We lodged a strong protest.", NEW_UUID, "gdelt:7654321", "Confirm import"]:
        assert shown in preview.text
    assert Statement.objects.count() == count
    world.briefing.refresh_from_db()
    assert (world.briefing.summary, world.briefing.version) == ("Grave concerns over the radar.", version)

    done = confirm(client, STATEMENTS, preview)

    assert done.status_code == 302
    assert "Import finished: 1 new, 1 updated, 0 deleted and 1 skipped statements." in client.get(done["Location"]).text
    assert Statement.objects.count() == count + 1
    world.briefing.refresh_from_db()
    assert world.briefing.summary == "Grave concerns over the radar lock-on, twice."
    assert world.briefing.version == version + 1
    assert world.briefing.history.latest().history_user == curator
    new = Statement.objects.get(uuid=NEW_UUID)
    assert (new.status, new.created_by, new.date, new.is_direct_quote) == (
        Status.DRAFT,
        curator,
        datetime.date(2025, 12, 12),
        True,
    )
    assert [actor.slug for actor in new.speakers.all()] == ["japan"]
    assert [(tag.category.code, tag.target_actor, tag.intensity) for tag in new.stance_tags.all()] == [
        ("O1", world.china, 3)
    ]
    assert new.history.get().history_user == curator


def test_statement_import_shows_every_problem_on_its_line_and_offers_no_confirmation(client, curator, world):
    client.force_login(curator)
    rows = [
        STATEMENT_HEADER,
        statement_row(uuid=NEW_UUID, date="2025-12-12", channel="carrier_pigeon", speakers="nobody-at-all"),
        [],  # a blank line keeps its number
        statement_row(
            identifiers="gdelt:1", date="12/12/2025", channel="speech", speakers="japan", is_direct_quote="maybe"
        ),
        statement_row(identifiers="gdelt:2", date="2025-12-12", channel="speech", speakers="japan"),
        exported_row(world.warning, status="draft", text="Changed, by someone who may not publish."),
    ]
    count = Statement.objects.count()

    preview = upload(client, STATEMENTS, csv_file(rows), CSV, status="file")

    assert preview.status_code == 200
    problems = invalid_lines(preview)
    assert set(problems) == {2, 4, 6}
    assert set(problems[2]) == {"channel", "speakers"}
    assert "unknown actor 'nobody-at-all'" in problems[2]["speakers"][0]
    assert set(problems[4]) == {"date", "is_direct_quote"}
    assert "'12/12/2025' is not a date" in problems[4]["date"][0]
    assert problems[4]["is_direct_quote"] == ["'maybe' is not true or false"]
    assert "permission to publish" in problems[6]["status"][0]
    assert "confirm_form" not in preview.context
    assert "Confirm import" not in preview.text
    for shown in ["carrier_pigeon", "nobody-at-all", "&#x27;maybe&#x27; is not true or false"]:
        assert shown in preview.text
    assert Statement.objects.count() == count


def test_the_import_form_offers_publishing_only_to_those_who_may_publish(client, curator, superuser, world):
    client.force_login(curator)
    changelist = client.get(reverse(f"admin:{STATEMENTS}_changelist"))
    assert reverse(f"admin:{STATEMENTS}_import") in changelist.text
    page = client.get(reverse(f"admin:{STATEMENTS}_import"))
    assert page.status_code == 200
    assert "This importer will import the following fields" in page.text
    offered = [value for value, _ in page.context["form"].fields["status"].choices]
    assert offered == ["draft", "in_review", "file"]
    refused = upload(client, STATEMENTS, csv_file(briefing_and_a_new_statement(world)), CSV, status="published")
    assert "status" in refused.context["form"].errors
    assert "result" not in refused.context

    client.force_login(superuser)
    page = client.get(reverse(f"admin:{STATEMENTS}_import"))
    assert [value for value, _ in page.context["form"].fields["status"].choices] == [
        "draft",
        "in_review",
        "published",
        "file",
    ]


def test_import_and_export_need_their_permissions(client, world, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="reader-password-1", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(codename__in=["view_statement", "view_actor"]).values_list("pk", flat=True)
    )
    client.force_login(reader)
    changelist = client.get(reverse(f"admin:{STATEMENTS}_changelist"))
    assert changelist.status_code == 200
    assert reverse(f"admin:{STATEMENTS}_export") in changelist.text
    assert reverse(f"admin:{STATEMENTS}_import") not in changelist.text
    assert client.get(reverse(f"admin:{STATEMENTS}_import")).status_code == 403
    assert client.get(reverse(f"admin:{ACTORS}_import")).status_code == 403
    assert client.get(reverse(f"admin:{STATEMENTS}_export")).status_code == 200
    export(client, ACTORS, CSV)


@pytest.mark.parametrize("format", [CSV, XLSX])
@pytest.mark.parametrize(
    ("params", "expected"),
    [({"status__exact": "published"}, ["warning"]), ({"q": "Koizumi"}, ["briefing"]), ({}, ["briefing", "warning"])],
)
def test_statement_export_holds_exactly_the_changelist_statements(client, superuser, world, format, params, expected):
    client.force_login(superuser)
    page = client.get(reverse(f"admin:{STATEMENTS}_export"), params)
    assert page.status_code == 200
    assert "This exporter will export the following fields" in page.text

    table = read_table(export(client, STATEMENTS, format, **params), format)

    assert table[0] == STATEMENT_HEADER
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert [row["uuid"] for row in rows] == [str(getattr(world, name).uuid) for name in expected]
    assert table[1:] == [exported_row(getattr(world, name)) for name in expected]


@pytest.mark.parametrize("format", [CSV, XLSX])
def test_statement_export_queries_do_not_grow_with_the_statements(client, superuser, world, format):
    client.force_login(superuser)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            export(client, STATEMENTS, format, status__exact="published")
        return len(captured)

    few = queries()
    for number in range(20):
        statement = make_statement([world.japan, world.koizumi], [world.china], date=f"2025-10-{number + 1:02}")
        make_tag(statement, "K1", superuser, target_actor=world.china)
        StatementIdentifier.objects.create(statement=statement, scheme="gdelt", value=f"9{number}")
    # The session and the user; the changelist's filters (the year span, the stance categories); the
    # statements; and statement_documents' seven (links, roles, topics, identifiers, sources, tags, actors).
    assert queries() == few <= 14
    assert len(read_table(export(client, STATEMENTS, format, status__exact="published"), format)) == 22


@pytest.mark.parametrize("format", [CSV, XLSX])
def test_statement_export_imports_back_unchanged(client, superuser, world, format):
    # A spreadsheet would run a text beginning with "=" as a formula: the XLSX export keeps it text.
    world.briefing.summary = '=HYPERLINK("https://example.org", "a summary, not a formula")'
    # Browsers send a textarea's line breaks as \r\n: they must come back as they are, or it would be a change.
    world.briefing.text = "Grave concerns.\r\nWe lodged a protest."
    world.briefing.save()
    client.force_login(superuser)
    content = export(client, STATEMENTS, format)
    preview = upload(client, STATEMENTS, content, format, status="file")
    assert [row.import_type for row in preview.context["result"].rows] == ["skip", "skip"]


def test_a_confirmed_import_that_no_longer_holds_writes_nothing_and_says_why(client, curator, world):
    client.force_login(curator)
    preview = upload(client, STATEMENTS, csv_file(briefing_and_a_new_statement(world)), CSV, status=Status.DRAFT)
    # Meanwhile another curator records the new statement's gdelt event under another uuid.
    elsewhere = make_statement([world.japan], date="2025-12-12", status=Status.DRAFT)
    StatementIdentifier.objects.create(statement=elsewhere, scheme="gdelt", value="7654321")
    count = Statement.objects.count()

    done = confirm(client, STATEMENTS, preview)

    assert done.status_code == 302
    assert done["Location"] == reverse(f"admin:{STATEMENTS}_import")
    assert Statement.objects.count() == count
    world.briefing.refresh_from_db()
    assert world.briefing.summary == "Grave concerns over the radar."
    page = client.get(done["Location"])
    assert "Nothing was imported" in page.text
    assert f"line 4, identifiers: gdelt:7654321 identifies the stored statement {elsewhere.uuid}" in page.text


# Actors

ACTORS = "actors_actor"
ACTOR_HEADER = ["slug", "name", "kind", "country", "parent", "description", "names", "identifiers"]


@pytest.fixture
def japan_and_koizumi(db):
    japan = make_actor("Japan", kind=ActorKind.STATE, slug="japan")
    koizumi = make_actor(
        "Shinjiro Koizumi", slug="shinjiro-koizumi", country=japan, names=[("小泉進次郎", "ja"), ("Koizumi", "")]
    )
    ActorIdentifier.objects.create(actor=koizumi, scheme="wikidata", value="Q1060597")
    return japan, koizumi


def actor_rows():
    return [
        ACTOR_HEADER,
        ["japan", "Japan", "state", "", "", "", "", ""],
        [
            "shinjiro-koizumi",
            "Shinjiro Koizumi",
            "person",
            "japan",
            "",
            "Minister of Defense since October 2025.",
            "小泉進次郎@ja | Koizumi Shinjiro@ja-Latn",
            "wikidata:Q1060597 | cameo:JPNGOV",
        ],
        [
            "japan-ministry-of-defense",
            "Ministry of Defense",
            "government_body",
            "japan",
            "japan",
            "",
            "防衛省@ja",
            "wikidata:Q1194993",
        ],
    ]


def actor_state(slug):
    actor = Actor.objects.select_related("country", "parent").get(slug=slug)
    return {
        "name": actor.name,
        "kind": actor.kind,
        "country": actor.country.slug if actor.country else None,
        "parent": actor.parent.slug if actor.parent else None,
        "description": actor.description,
        "names": set(actor.names.values_list("name", "language")),
        "identifiers": set(actor.identifiers.values_list("scheme", "value")),
    }


@pytest.mark.parametrize("format", [CSV, XLSX])
def test_actor_import_previews_new_and_changed_actors_and_writes_only_once_confirmed(
    client, curator, japan_and_koizumi, format
):
    client.force_login(curator)
    content = csv_file(actor_rows()) if format == CSV else xlsx_file(actor_rows())
    before = actor_state("shinjiro-koizumi")

    preview = upload(client, ACTORS, content, format)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert [row.import_type for row in result.rows] == ["skip", "update", "new"]
    assert not result.has_validation_errors()
    for shown in ["Ministry of Defense", "防衛省@ja", "Koizumi Shinjiro@ja-Latn", "cameo:JPNGOV", "Confirm import"]:
        assert shown in preview.text
    assert not Actor.objects.filter(slug="japan-ministry-of-defense").exists()
    assert actor_state("shinjiro-koizumi") == before

    done = confirm(client, ACTORS, preview)

    assert done.status_code == 302
    assert actor_state("shinjiro-koizumi") == {
        **before,
        "description": "Minister of Defense since October 2025.",
        # The file's names and identifiers: one kept, one added, one ("Koizumi") removed.
        "names": {("小泉進次郎", "ja"), ("Koizumi Shinjiro", "ja-Latn")},
        "identifiers": {("wikidata", "Q1060597"), ("cameo", "JPNGOV")},
    }
    assert actor_state("japan-ministry-of-defense") == {
        "name": "Ministry of Defense",
        "kind": ActorKind.GOVERNMENT_BODY,
        "country": "japan",
        "parent": "japan",
        "description": "",
        "names": {("防衛省", "ja")},
        "identifiers": {("wikidata", "Q1194993")},
    }
    assert ActorName.objects.get(name="防衛省").folded == "防衛省"
    ministry = Actor.objects.get(slug="japan-ministry-of-defense")
    assert ministry.history.get().history_user == curator
    assert Actor.objects.get(slug="shinjiro-koizumi").history.latest().history_user == curator


def test_actor_import_shows_every_bad_row_on_its_line_and_writes_nothing(client, curator, japan_and_koizumi):
    client.force_login(curator)
    rows = [
        ACTOR_HEADER,
        ["ministry-of-magic", "Ministry of Magic", "government_body", "japan", "no-such-parent", "", "", ""],
        [],  # a blank line keeps its number
        ["tokyo", "Tokyo", "other", "shinjiro-koizumi", "", "", "", ""],
        ["atlantis", "Atlantis", "planet", "", "", "", "", "koizumi | iso3166_alpha3:ATL"],
        ["ok-actor", "Fine", "other", "", "", "", "", "wikidata:Q1060597"],
    ]

    preview = upload(client, ACTORS, csv_file(rows), CSV)

    assert preview.status_code == 200
    problems = invalid_lines(preview)
    assert set(problems) == {2, 4, 5, 6}
    assert "no-such-parent" in " ".join(problems[2]["parent"])
    assert "The country must be an actor of kind state." in problems[4]["country"]
    assert set(problems[5]) == {"kind", "identifiers"}
    assert "'koizumi' is not scheme:value (wikidata:Q17)." in problems[5]["identifiers"]
    assert problems[6] == {"identifiers": ["wikidata:Q1060597 is already shinjiro-koizumi's."]}
    assert "confirm_form" not in preview.context
    assert "Confirm import" not in preview.text
    assert "no-such-parent" in preview.text
    assert not Actor.objects.filter(slug__in=["ministry-of-magic", "tokyo", "atlantis", "ok-actor"]).exists()


@pytest.mark.parametrize("format", [CSV, XLSX])
def test_actor_export_imports_back_into_a_database_without_those_actors(client, superuser, format):
    china = make_actor("China", kind=ActorKind.STATE, slug="china", names=[("中国", "zh-Hans")])
    # Lin Jian sorts before his ministry by name: the file must put parents first to import.
    ministry = make_actor("Ministry of Foreign Affairs", kind=ActorKind.GOVERNMENT_BODY, slug="a-mfa", country=china)
    spokesperson = make_actor(
        "Lin Jian", slug="lin-jian", country=china, parent=ministry, names=[("林剑", "zh-Hans"), ("Lin Jian", "en")]
    )
    ActorIdentifier.objects.create(actor=china, scheme="iso3166_alpha3", value="CHN")
    ActorIdentifier.objects.create(actor=china, scheme="wikidata", value="Q148")
    ministry.description = "Diplomacy, and its words."
    ministry.save()
    slugs = ["china", "a-mfa", "lin-jian"]
    exported = {slug: actor_state(slug) for slug in slugs}
    client.force_login(superuser)

    content = export(client, ACTORS, format)

    table = read_table(content, format)
    assert table[0] == ACTOR_HEADER
    assert [row[0] for row in table[1:]] == ["china", "a-mfa", "lin-jian"]
    for actor in [spokesperson, ministry, china]:
        actor.delete()
    assert not Actor.objects.exists()

    preview = upload(client, ACTORS, content, format)
    assert [row.import_type for row in preview.context["result"].rows] == ["new", "new", "new"]
    confirm(client, ACTORS, preview)

    assert {slug: actor_state(slug) for slug in slugs} == exported


def test_actor_export_follows_the_changelist_filters(client, curator, japan_and_koizumi):
    client.force_login(curator)
    table = read_table(export(client, ACTORS, CSV, kind__exact="person"), CSV)
    assert [row[0] for row in table[1:]] == ["shinjiro-koizumi"]
    koizumi = dict(zip(table[0], table[1], strict=True))
    assert koizumi["names"] == "Koizumi | 小泉進次郎@ja"
    assert koizumi["identifiers"] == "wikidata:Q1060597"
    assert koizumi["country"] == "japan"
