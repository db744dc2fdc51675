"""The actors read API: shape, search in any script, kind and country filters, query counts."""

from types import SimpleNamespace

from django.urls import reverse

import pytest

from actors.models import ActorIdentifier, ActorKind, IdentifierScheme
from tests.answers import errors_of
from tests.factories import make_actor, make_role

ACTORS = reverse("actor-list")


def slugs(response):
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.data["results"]]


@pytest.fixture
def japan_tree(db):
    japan = make_actor("Japan", kind=ActorKind.STATE, slug="japan")
    government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY, slug="government-of-japan")
    government.parent = japan
    government.save()
    # A body recorded with its country but no parent still belongs to Japan.
    coast_guard = make_actor("Japan Coast Guard", kind=ActorKind.GOVERNMENT_BODY, slug="jcg", country=japan)
    koizumi = make_actor(
        "Shinjiro Koizumi",
        slug="shinjiro-koizumi",
        country=japan,
        names=[("小泉進次郎", "ja"), ("Koizumi Shinjiro", "ja-Latn"), ("Shinjirō Koizumi", "en")],
    )
    ActorIdentifier.objects.create(actor=koizumi, scheme=IdentifierScheme.WIKIDATA, value="Q1545209")
    make_role(koizumi, government, "Minister of the Environment", "2019-09-11", "2021-10-04")
    make_role(koizumi, government, "Minister of Defense", "2025-10-21")
    china = make_actor("China", kind=ActorKind.STATE, slug="china")
    ccg = make_actor("China Coast Guard", kind=ActorKind.GOVERNMENT_BODY, slug="ccg", parent=china)
    nato = make_actor("NATO", kind=ActorKind.INTERNATIONAL_ORGANIZATION, slug="nato")
    return SimpleNamespace(
        japan=japan, government=government, coast_guard=coast_guard, koizumi=koizumi, china=china, ccg=ccg, nato=nato
    )


def test_actor_detail_by_slug_has_names_identifiers_and_dated_roles(api, japan_tree):
    response = api.get(reverse("actor-detail", kwargs={"slug": "shinjiro-koizumi"}))

    assert response.status_code == 200
    assert response.json() == {
        "id": japan_tree.koizumi.pk,
        "slug": "shinjiro-koizumi",
        "name": "Shinjiro Koizumi",
        "kind": "person",
        "country": "japan",
        "parent": None,
        "names": [
            {"name": "Shinjirō Koizumi", "language": "en"},
            {"name": "小泉進次郎", "language": "ja"},
            {"name": "Koizumi Shinjiro", "language": "ja-Latn"},
        ],
        "identifiers": [{"scheme": "wikidata", "value": "Q1545209"}],
        "roles": [
            {
                "title": "Minister of Defense",
                "organization": "government-of-japan",
                "organization_name": "Government of Japan",
                "start_date": "2025-10-21",
                "end_date": None,
            },
            {
                "title": "Minister of the Environment",
                "organization": "government-of-japan",
                "organization_name": "Government of Japan",
                "start_date": "2019-09-11",
                "end_date": "2021-10-04",
            },
        ],
    }


def test_organization_detail_names_its_parent_and_has_no_roles(api, japan_tree):
    body = api.get(reverse("actor-detail", kwargs={"slug": "government-of-japan"})).json()

    assert body["parent"] == "japan"
    assert body["country"] is None
    assert body["roles"] == []


def test_unknown_actor_slug_is_not_found(api, db):
    assert api.get(reverse("actor-detail", kwargs={"slug": "atlantis"})).status_code == 404


@pytest.mark.parametrize(
    "text", ["koizumi", "KOIZUMI", "小泉", "小泉進次郎", "koizumi shinjiro", "SHINJIRŌ", "shinjiro-koizumi"]
)
def test_q_finds_an_actor_by_any_name_or_alias_in_any_script_and_case(api, japan_tree, text):
    assert slugs(api.get(ACTORS, {"q": text})) == ["shinjiro-koizumi"]


def test_q_repeated_means_either_text(api, japan_tree):
    assert slugs(api.get(ACTORS, {"q": ["小泉", "nato"]})) == ["nato", "shinjiro-koizumi"]


def test_kind_filter_repeated_means_either_kind(api, japan_tree):
    assert slugs(api.get(ACTORS, {"kind": "state"})) == ["china", "japan"]
    assert slugs(api.get(ACTORS, {"kind": ["state", "international_organization"]})) == ["china", "japan", "nato"]


def test_country_filter_takes_the_states_bodies_and_actors_of_that_country(api, japan_tree):
    # Japan itself, its government (by parent), its coast guard (by country), Koizumi (by country).
    assert slugs(api.get(ACTORS, {"country": "japan"})) == ["government-of-japan", "japan", "jcg", "shinjiro-koizumi"]
    assert slugs(api.get(ACTORS, {"country": str(japan_tree.china.pk)})) == ["china", "ccg"]


def test_filters_combine_with_and(api, japan_tree):
    assert slugs(api.get(ACTORS, {"country": "japan", "kind": "person"})) == ["shinjiro-koizumi"]


@pytest.mark.parametrize(
    ("params", "parameter", "fragment"),
    [
        ({"kind": "alien"}, "kind", "'alien'"),
        ({"country": "nato"}, "country", "'nato'"),
        ({"country": "atlantis"}, "country", "Unknown actor: 'atlantis'"),
        ({"q": "\x00"}, "q", "Null characters"),
    ],
)
def test_bad_actor_filter_values_are_a_400_naming_the_parameter(api, japan_tree, params, parameter, fragment):
    response = api.get(ACTORS, params)

    assert response.status_code == 400
    assert list(errors_of(response)) == [parameter]
    assert fragment in errors_of(response)[parameter][0]


def test_actor_pages_link_to_each_other(api, db):
    for number in range(5):
        make_actor(f"Same name {number % 2}")

    first = api.get(ACTORS, {"page_size": 2})
    second = api.get(first.data["next"])
    third = api.get(second.data["next"])
    back = api.get(third.data["previous"])

    assert [len(page.data["results"]) for page in (first, second, third)] == [2, 2, 1]
    assert third.data["next"] is None
    assert slugs(back) == slugs(second)
    names = [row["name"] for page in (first, second, third) for row in page.data["results"]]
    assert names == sorted(names)


@pytest.fixture
def many_people(db):
    state = make_actor("Japan", kind=ActorKind.STATE, slug="japan")
    government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY, parent=state, country=state)
    for number in range(60):
        person = make_actor(f"Person {number:02d}", country=state, names=[(f"人 {number}", "ja")])
        ActorIdentifier.objects.create(actor=person, scheme=IdentifierScheme.WIKIDATA, value=f"Q{number}")
        make_role(person, government, "Minister", "2020-01-01")


# The actor list: 1 the page of actors with country and parent joined; then one prefetch each
# for 2 names, 3 identifiers, 4 roles with their organizations.
ACTOR_LIST_QUERIES = 4


@pytest.mark.parametrize("page_size", [1, 50])
def test_actor_list_query_count_does_not_grow_with_page_size(api, many_people, django_assert_num_queries, page_size):
    with django_assert_num_queries(ACTOR_LIST_QUERIES):
        response = api.get(ACTORS, {"page_size": page_size})

    assert len(response.data["results"]) == page_size


@pytest.mark.parametrize("page_size", [1, 50])
def test_actor_country_filter_adds_a_fixed_number_of_queries(api, many_people, django_assert_num_queries, page_size):
    # 1 the state named; 2 Actor.objects.organization_ids(japan): its bodies, however deep, in one
    # recursive query; then the page and its 3 prefetches.
    with django_assert_num_queries(2 + ACTOR_LIST_QUERIES):
        response = api.get(ACTORS, {"country": "japan", "page_size": page_size})

    assert len(response.data["results"]) == page_size
