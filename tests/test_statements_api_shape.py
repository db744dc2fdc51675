"""The statement list and detail keep the exact JSON they served before the fast read path.

`snapshots/statements.json` was written by the model-serializer implementation on the demo data
plus one statement with the shapes the demo lacks (a speaker without a role, a topic target, two
sources, a missing publication date); since then only `identifiers` (after `topics`) was added.
Ids, uuids and timestamps differ from run to run: they are checked for their form and replaced by
placeholders; everything else, key order included, must be equal.
"""

import datetime
import json
import re
import uuid
from pathlib import Path

from django.urls import reverse

import pytest

from actors.models import ActorKind
from statements.demo import load_demo
from statements.models import Channel, Citation, DatePrecision, Polarity, Source, Status
from tests.factories import make_actor, make_statement, make_tag, make_topic

SNAPSHOT = Path(__file__).parent / "snapshots" / "statements.json"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")


def edge_cases(curator):
    """A statement with what the demo does not show: no role, a topic target, two sources, no publication date."""
    speaker = make_actor("Lin Jian", slug="lin-jian", names=[("林剑", "zh-Hans")])
    ministry = make_actor("Ministry of Foreign Affairs (China)", kind=ActorKind.GOVERNMENT_BODY, slug="china-mfa")
    topic = make_topic("Taiwan question", slug="taiwan-question")
    statement = make_statement(
        [speaker, ministry],
        date="2025-11-14",
        channel=Channel.PRESS_CONFERENCE,
        text='日本は台湾問題で火遊びをしてはならない \u2028 "quoted" \\ back-slash',
        is_direct_quote=True,
        language="zh-Hans",
        summary="",
        date_precision=DatePrecision.DAY,
    )
    statement.topics.set([topic])
    first = Source.objects.create(url="https://example.org/briefing", publisher="MFA", title="", published_on=None)
    second = Source.objects.create(
        url="https://example.org/report", publisher="Reuters", title="Report", published_on=datetime.date(2025, 11, 15)
    )
    Citation.objects.create(statement=statement, source=first, attribution="")
    Citation.objects.create(statement=statement, source=second, attribution="according to Reuters")
    make_tag(statement, "W1", curator, target_topic=topic, polarity=Polarity.AGAINST, intensity=4)
    make_tag(statement, "S1", curator, polarity=Polarity.UNCLEAR, intensity=0)
    make_statement([speaker], date="2025-11-13", status=Status.DRAFT, text="A draft nobody outside sees.")
    return statement


HANDLE = re.compile(r"^curator-[0-9a-f]{12}$")


def normalised(value, handles=None):
    """The JSON with ids, timestamps and curator handles checked for their form and replaced by placeholders
    (a curator's handle by "<curator n>", n in order of appearance: the same curator, the same n)."""
    handles = {} if handles is None else handles
    if isinstance(value, list):
        return [normalised(item, handles) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        if key == "id":
            assert isinstance(item, int), item
            item = "<id>"
        elif key in {"created_at", "updated_at"}:
            assert TIMESTAMP.match(item), item
            item = "<timestamp>"
        elif key == "identifiers":
            # The statement's own uuid comes first; another system's identifiers follow, as pinned.
            assert item[0]["scheme"] == "uuid" and uuid.UUID(item[0]["value"]), item
            item = [{"scheme": "uuid", "value": "<uuid>"}, *item[1:]]
        elif key == "curator":
            # Anonymous clients never see a login name.
            assert HANDLE.match(item), item
            item = handles.setdefault(item, f"<curator {len(handles) + 1}>")
        result[key] = normalised(item, handles)
    return result


def served(api):
    listing = api.get(reverse("statement-list"), {"page_size": 500})
    assert listing.status_code == 200, listing.content
    body = json.loads(listing.content)
    details = []
    for row in body["results"]:
        response = api.get(reverse("statement-detail", kwargs={"pk": row["id"]}))
        assert response.status_code == 200
        details.append(json.loads(response.content))
    handles = {}
    return {"list": normalised(body, handles), "details": normalised(details, handles)}


@pytest.mark.django_db
def test_list_and_detail_serve_the_pinned_json(api, curator_user):
    load_demo()
    edge_cases(curator_user)
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    # Compared as text so that key order counts too.
    assert json.dumps(served(api), ensure_ascii=False, indent=1) == json.dumps(expected, ensure_ascii=False, indent=1)
