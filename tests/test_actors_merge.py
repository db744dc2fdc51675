"""Merging two records of one actor: everything moves to the one kept, its old slug still resolves, history says so."""

from django.core.exceptions import ValidationError
from django.urls import reverse

import pytest

from actors.models import Actor, ActorFormerSlug, ActorKind
from actors.services import merge_actors
from statements.models import StanceTag, Statement
from tests.factories import make_actor, make_role, make_statement, make_tag, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(db):
    """Japan recorded twice: once properly, once as "Nippon" with its own statements, tags, names and a body."""

    class Twins:
        reviewer = make_user("reviewer", "curators", "reviewers")
        japan = make_actor("Japan", kind=ActorKind.STATE, slug="japan", names=[("日本", "ja")])
        nippon = make_actor("Nippon", kind=ActorKind.STATE, slug="nippon", names=[("日本", "ja"), ("Nihon", "ja-Latn")])
        china = make_actor("China", kind=ActorKind.STATE, slug="china")
        ministry = make_actor("Ministry of Defense", kind=ActorKind.GOVERNMENT_BODY, parent=nippon, country=nippon)
        minister = make_actor("Shinjiro Koizumi", country=nippon)
        both = make_statement([japan, nippon], [china], summary="Spoken by both records")
        only_nippon = make_statement([china], [nippon], summary="Addressed to Nippon")

    Twins.nippon.identifiers.create(scheme="wikidata", value="Q17")
    make_role(Twins.minister, Twins.ministry, "Minister of Defense", "2025-10-21")
    make_tag(Twins.both, "K1", Twins.reviewer, target_actor=Twins.japan)
    make_tag(Twins.both, "K1", Twins.reviewer, target_actor=Twins.nippon)  # the same judgement twice
    make_tag(Twins.only_nippon, "W1", Twins.reviewer, target_actor=Twins.nippon)
    return Twins


def test_everything_moves_to_the_actor_kept_and_each_changed_statement_gets_a_new_version(twins):
    versions = dict(Statement.objects.values_list("pk", "version"))

    changed = merge_actors(keep=twins.japan, merged=twins.nippon, user=twins.reviewer)

    assert changed == 2
    assert not Actor.objects.filter(slug="nippon").exists()
    assert list(twins.both.speakers.values_list("slug", flat=True)) == ["japan"]
    assert list(twins.only_nippon.recipients.values_list("slug", flat=True)) == ["japan"]
    assert sorted(StanceTag.objects.values_list("category__code", "target_actor__slug")) == [
        ("K1", "japan"),
        ("W1", "japan"),
    ]
    japan = Actor.objects.get(slug="japan")
    assert sorted(japan.names.values_list("name", flat=True)) == ["Nihon", "Nippon", "日本"]
    assert list(japan.identifiers.values_list("value", flat=True)) == ["Q17"]
    assert Actor.objects.get(name="Ministry of Defense").parent == japan
    assert Actor.objects.get(name="Shinjiro Koizumi").country == japan
    assert all(version == versions[pk] + 1 for pk, version in Statement.objects.values_list("pk", "version"))
    latest = japan.history.latest("history_id")
    assert (latest.history_user, latest.history_change_reason) == (twins.reviewer, "nippon (Nippon) merged into it")


def test_the_merged_slug_still_resolves_in_the_api(client, twins):
    merge_actors(keep=twins.japan, merged=twins.nippon, user=twins.reviewer)

    detail = client.get(reverse("actor-detail", kwargs={"slug": "nippon"}))
    listed = client.get(reverse("statement-list"), {"recipient": "nippon"}).json()

    assert detail.status_code == 301
    assert detail["Location"].endswith(reverse("actor-detail", kwargs={"slug": "japan"}))
    assert [row["summary"] for row in listed["results"]] == ["Addressed to Nippon"]
    assert ActorFormerSlug.objects.get(slug="nippon").actor.slug == "japan"


def test_actors_of_different_kinds_or_the_same_actor_are_not_merged(twins):
    with pytest.raises(ValidationError, match="same kind"):
        merge_actors(keep=twins.japan, merged=twins.minister, user=twins.reviewer)
    with pytest.raises(ValidationError, match="two different"):
        merge_actors(keep=twins.japan, merged=twins.japan, user=twins.reviewer)
    assert Actor.objects.filter(slug="nippon").exists()


def test_a_reviewer_merges_from_the_actor_list_after_choosing_the_one_to_keep(client, twins):
    client.force_login(twins.reviewer)
    changelist = reverse("admin:actors_actor_changelist")
    selected = {"action": "merge", "_selected_action": [twins.japan.pk, twins.nippon.pk]}

    confirmation = client.post(changelist, {**selected, "index": "0"})
    merged = client.post(changelist, {**selected, "keep": str(twins.japan.pk)})

    assert "Choose the one to keep" in confirmation.text
    assert merged.status_code == 302
    assert not Actor.objects.filter(slug="nippon").exists()
