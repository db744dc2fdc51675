"""Several curators per statement: assignment, blind annotation, adjudication into the gold set, agreement figures,
and the export of annotations; a statement without annotations keeps the single-curator flow."""

import csv
import io

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from actors.models import Actor
from config.handles import curator_handle
from statements import annotations, exchange
from statements.demo import load_demo
from statements.models import Adjudication, Annotation, AssignmentRule, StanceCategory, Statement, Status
from statements.services import TagSpec, WorkflowError
from tests.answers import errors_of
from tests.factories import make_statement, make_user


@pytest.fixture
def team(db):
    load_demo()
    from types import SimpleNamespace

    return SimpleNamespace(
        ana=make_user("ana", "curators"),
        ben=make_user("ben", "curators"),
        rita=make_user("rita", "curators", "reviewers"),
        china=Actor.objects.get(slug="china"),
        russia=Actor.objects.get(slug="russia"),
        speaker=Actor.objects.get(slug="shinjiro-koizumi"),
    )


def act(code):
    return StanceCategory.objects.default_taxonomy().get(code=code)


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def assigned(team, count=1):
    statements = [make_statement([team.speaker], status=Status.IN_REVIEW, summary=f"S{n}") for n in range(count)]
    annotations.assign(statements, curators=[team.ana, team.ben], user=team.rita)
    return statements


def annotate(statement, user, *tags, submit=True):
    annotation = Annotation.objects.get(statement=statement, curator=user)
    annotations.save_annotation(annotation, user=user, tags=list(tags))
    if submit:
        annotations.submit_annotation(annotation, user=user)
    return annotation


def test_only_reviewers_assign_and_to_two_curators_or_more(team):
    statement = make_statement([team.speaker])
    with pytest.raises(Exception, match="reviewer"):
        annotations.assign([statement], curators=[team.ana, team.ben], user=team.ana)
    with pytest.raises(WorkflowError, match="two curators"):
        annotations.assign([statement], curators=[team.ana], user=team.rita)
    assert annotations.assign([statement], curators=[team.ana, team.ben], user=team.rita) == 2
    assert annotations.assign([statement], curators=[team.ana, team.ben], user=team.rita) == 0


def test_a_curator_cannot_read_anothers_annotation_before_submitting_their_own(team):
    (statement,) = assigned(team)
    annotate(statement, team.ana, TagSpec(act("K1"), team.china, None, "against", 3))
    url = reverse("statement-annotations", kwargs={"pk": statement.pk})

    seen_by_ben = {row["curator"]: row["tags"] for row in client_of(team.ben).get(url).json()}
    assert seen_by_ben == {"ana": None, "ben": []}
    admin_list = client_of(team.ben)
    admin_list.force_login(team.ben)
    page = admin_list.get(reverse("admin:statements_annotation_changelist"))
    assert page.status_code == 200
    assert [row.curator for row in page.context["cl"].result_list] == [team.ben]
    ana_annotation = Annotation.objects.get(statement=statement, curator=team.ana)
    assert admin_list.get(reverse("admin:statements_annotation_change", args=[ana_annotation.pk])).status_code == 302

    annotate(statement, team.ben, TagSpec(act("K1"), team.china, None, "against", 2))
    seen_by_ben = {row["curator"]: row["tags"] for row in client_of(team.ben).get(url).json()}
    assert seen_by_ben["ana"][0]["intensity"] == 3
    # A reviewer sees every annotation; the public none.
    assert len(client_of(team.rita).get(url).json()) == 2
    assert APIClient().get(url).status_code in (401, 403)


def test_a_submitted_annotation_no_longer_changes_and_only_its_curator_tags_it(team):
    (statement,) = assigned(team)
    annotation = annotate(statement, team.ana, TagSpec(act("K1"), team.china))
    with pytest.raises(WorkflowError, match="submitted"):
        annotations.save_annotation(annotation, user=team.ana, tags=[])
    with pytest.raises(Exception, match="own curator"):
        annotations.save_annotation(
            Annotation.objects.get(statement=statement, curator=team.ben), user=team.ana, tags=[]
        )


def test_the_gold_set_is_what_the_reviewer_chose_and_the_public_sees_only_it(team):
    (statement,) = assigned(team)
    annotate(statement, team.ana, TagSpec(act("K1"), team.china, None, "against", 3))
    annotate(statement, team.ben, TagSpec(act("K1"), team.china, None, "against", 2), TagSpec(act("W1"), team.russia))
    rita = APIClient()
    rita.force_login(team.rita)
    page_url = reverse("admin:statements_statement_adjudicate", args=[statement.pk])
    page = rita.get(page_url)
    assert page.status_code == 200
    table = page.context["table"]
    assert [(row["category"].code, row["agreed"]) for row in table] == [("K1", False), ("W1", False)]
    # Keep K1 toward China at intensity 3; drop W1.
    answer = rita.post(page_url, {"keep-0": "on", "polarity-0": "against", "intensity-0": "3", "note": "ana's reading"})
    assert answer.status_code == 302, answer.content[:2000]

    statement.refresh_from_db()
    gold = [(tag.category.code, tag.target_actor, tag.intensity) for tag in statement.stance_tags.all()]
    assert gold == [("K1", team.china, 3)]
    adjudication = Adjudication.objects.get(statement=statement)
    assert adjudication.adjudicated_by == team.rita and adjudication.history.get().history_user == team.rita
    assert statement.history.first().history_user == team.rita
    statement.status = Status.PUBLISHED
    statement.save()
    public = APIClient().get(reverse("statement-detail", kwargs={"pk": statement.pk})).json()
    assert [(tag["category"], tag["intensity"]) for tag in public["stance_tags"]] == [("K1", 3)]


def test_adjudication_waits_for_every_annotation_and_tags_are_not_edited_around_it(team):
    (statement,) = assigned(team)
    annotate(statement, team.ana, TagSpec(act("K1"), team.china))
    with pytest.raises(WorkflowError, match="Waiting for ben"):
        annotations.adjudicate(statement, user=team.rita, tags=[])
    patch = client_of(team.rita).patch(
        reverse("statement-detail", kwargs={"pk": statement.pk}),
        {"stance_tags": [{"category": "K1", "target_actor": "china"}], "version": statement.version},
        format="json",
    )
    assert "adjudicat" in str(errors_of(patch))


def test_a_statement_without_annotations_keeps_the_single_curator_flow(team):
    statement = make_statement([team.speaker], status=Status.DRAFT)
    response = client_of(team.ana).patch(
        reverse("statement-detail", kwargs={"pk": statement.pk}),
        {"stance_tags": [{"category": "K1", "target_actor": "china"}], "version": statement.version},
        format="json",
    )
    assert response.status_code == 200 and response.json()["stance_tags"][0]["curator"] == "ana"


def test_an_assignment_rule_assigns_every_nth_new_statement(team):
    rule = AssignmentRule.objects.create(name="every second", every=2)
    rule.curators.set([team.ana, team.ben])
    body = {"speakers": ["shinjiro-koizumi"], "date": "2025-12-10", "channel": "video_call"}
    ids = [client_of(team.ana).post(reverse("statement-list"), body, format="json").json()["id"] for _ in range(4)]
    assigned_ids = set(Annotation.objects.values_list("statement_id", flat=True))
    assert assigned_ids == {ids[1], ids[3]}


def test_agreement_figures_over_a_filter_equal_hand_counts(team):
    first, second = assigned(team, 2)
    annotate(first, team.ana, TagSpec(act("K1"), team.china, None, "against", 3))
    annotate(first, team.ben, TagSpec(act("K1"), team.china, None, "against", 3))
    annotate(second, team.ana, TagSpec(act("K1"), team.china))
    annotate(second, team.ben, TagSpec(act("K2"), team.china))
    answer = client_of(team.ana).get(reverse("stats-agreement"))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    overall = body["rows"][0]
    assert (body["statements"], overall["units"], overall["observed"]) == (2, 2, 0.5)
    assert body["confusion"][0]["cells"] == [
        {"first": "K1", "second": "K1", "count": 1},
        {"first": "K1", "second": "K2", "count": 1},
    ]
    filtered = client_of(team.ana).get(reverse("stats-agreement"), {"speaker": "shinjiro-koizumi"}).json()
    assert filtered["statements"] == 2
    assert client_of(team.ana).get(reverse("stats-agreement"), {"speaker": "china"}).json()["statements"] == 0
    assert APIClient().get(reverse("stats-agreement")).status_code in (401, 403)


def test_the_agreement_endpoint_and_page_make_the_same_queries_for_more_statements(team):
    def counted(url, client):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    api, page = client_of(team.rita), APIClient()
    page.force_login(team.rita)
    urls = [(reverse("stats-agreement"), api), (reverse("admin:statements_statement_agreement"), page)]

    def annotate_more(count):
        for statement in assigned(team, count):
            annotate(statement, team.ana, TagSpec(act("K1"), team.china))
            annotate(statement, team.ben, TagSpec(act("W1"), team.china))

    annotate_more(2)
    few = [counted(url, client) for url, client in urls]
    annotate_more(10)
    assert [counted(url, client) for url, client in urls] == few


def test_the_annotations_export_has_a_row_per_curators_tag_with_an_opaque_handle(team):
    (statement,) = assigned(team)
    annotate(statement, team.ana, TagSpec(act("K1"), team.china, None, "against", 3))
    annotate(statement, team.ben, TagSpec(act("K2"), team.china))
    url = reverse("statement-export") + "?format=csv&shape=annotations&status=in_review"
    response = client_of(team.ana).get(url)
    assert response.status_code == 200, response.content
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    mine = [row for row in rows if row["uuid"] == str(statement.uuid)]
    assert sorted((row["tag_category"], row["annotator"]) for row in mine) == [
        ("K1", curator_handle(team.ana.pk, settings.SECRET_KEY)),
        ("K2", curator_handle(team.ben.pk, settings.SECRET_KEY)),
    ]
    assert APIClient().get(url).status_code in (401, 403)
    # An annotations file is not imported back as gold tags.
    rows_read = list(exchange.read(io.StringIO("uuid,annotator\nx,curator-1\n"), "csv"))
    assert rows_read[0][1] == "annotations" and "not imported" in rows_read[0][3]["_line"]


def test_statements_of_the_demo_are_untouched_by_the_annotation_models(team):
    assert not Annotation.objects.exists()
    assert Statement.objects.filter(annotations__isnull=False).count() == 0


def test_an_import_assigns_every_statement_it_writes(team, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "statements.ndjson"
    call_command("export_statements", "--format", "ndjson", "--output", str(path), stdout=io.StringIO())
    Statement.objects.all().delete()
    out = io.StringIO()
    call_command(
        "import_statements", str(path), "--user", "rita", "--status", "file", "--assign-to", "ana,ben", stdout=out
    )
    assert "Assigned for blind double tagging: 16 annotation(s)." in out.getvalue()
    assert Annotation.objects.filter(curator=team.ana).count() == Statement.objects.count() == 8
