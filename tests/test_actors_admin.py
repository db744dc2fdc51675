"""The actor and role admin, and every registered admin page, as a curator meets them."""

import json

from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from actors.models import Actor, ActorIdentifier, ActorKind, IdentifierScheme, Role
from statements.models import Status
from tests.factories import make_actor, make_role, make_statement


@pytest.fixture
def cast(db):
    """Koizumi (with his Japanese name and a Wikidata id) in Japan's government, and NATO's Rutte."""

    class Cast:
        japan = make_actor("Japan", kind=ActorKind.STATE, slug="japan")
        government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY, parent=japan, country=japan)
        nato = make_actor("NATO", kind=ActorKind.INTERNATIONAL_ORGANIZATION, slug="nato")
        koizumi = make_actor("Shinjiro Koizumi", country=japan, names=[("小泉進次郎", "ja")])
        rutte = make_actor("Mark Rutte", names=[("Mark Rutte", "nl")])
        environment = make_role(koizumi, government, "Minister of the Environment", "2019-09-11", "2021-10-04")
        defense = make_role(koizumi, government, "Minister of Defense", "2025-10-21")
        secretary_general = make_role(rutte, nato, "Secretary General", "2024-10-01")

    ActorIdentifier.objects.create(actor=Cast.koizumi, scheme=IdentifierScheme.WIKIDATA, value="Q1060597")
    return Cast


def listed(response):
    return [obj.pk for obj in response.context["cl"].result_list]


def test_person_page_shows_names_identifiers_and_roles(client, superuser, cast):
    client.force_login(superuser)
    response = client.get(reverse("admin:actors_actor_change", args=[cast.koizumi.pk]))
    assert response.status_code == 200
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["names", "identifiers", "roles"]
    for shown in ["小泉進次郎", "Q1060597", "Minister of the Environment", "Minister of Defense"]:
        assert shown in response.text
    assert 'data-field-name="organization"' in response.text
    assert 'data-field-name="country"' in response.text
    assert 'id="change_id_country"' in response.text
    assert "delete_id_country" not in response.text


def test_organization_page_lists_who_held_its_posts(client, superuser, cast):
    client.force_login(superuser)
    response = client.get(reverse("admin:actors_actor_change", args=[cast.nato.pk]))
    assert response.status_code == 200
    assert [inline.formset.prefix for inline in response.context["inline_admin_formsets"]] == [
        "names",
        "identifiers",
        "posts",
    ]
    assert "Mark Rutte" in response.text
    assert "Secretary General" in response.text


@pytest.mark.parametrize("term", ["小泉", "小泉進次郎", "koizumi", "Q1060597"])
def test_actor_search_finds_any_name_alias_or_identifier(client, superuser, cast, term):
    client.force_login(superuser)
    response = client.get(reverse("admin:actors_actor_changelist"), {"q": term})
    assert listed(response) == [cast.koizumi.pk]


def test_actor_search_lists_an_actor_once_when_name_and_alias_both_match(client, superuser, cast):
    client.force_login(superuser)
    response = client.get(reverse("admin:actors_actor_changelist"), {"q": "Mark Rutte"})
    assert listed(response) == [cast.rutte.pk]


def test_actor_changelist_filters_by_kind_and_country(client, superuser, cast):
    client.force_login(superuser)
    url = reverse("admin:actors_actor_changelist")
    assert set(listed(client.get(url, {"kind__exact": ActorKind.STATE}))) == {cast.japan.pk}
    assert set(listed(client.get(url, {"country__id__exact": cast.japan.pk}))) == {cast.government.pk, cast.koizumi.pk}


def test_speaker_autocomplete_finds_an_actor_by_a_name_in_another_script(client, superuser, cast):
    client.force_login(superuser)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "statements", "model_name": "statement", "field_name": "speakers", "term": "小泉"},
    )
    assert response.status_code == 200
    assert [row["text"] for row in json.loads(response.content)["results"]] == ["Shinjiro Koizumi · person, Japan"]


def test_country_autocomplete_offers_states_only(client, superuser, cast):
    client.force_login(superuser)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "actors", "model_name": "actor", "field_name": "country", "term": "Japan"},
    )
    assert [row["text"] for row in json.loads(response.content)["results"]] == ["Japan · state"]


def test_only_a_person_holds_a_role(client, superuser, cast):
    client.force_login(superuser)
    url = reverse("admin:actors_actor_add")
    data = {
        "name": "Ministry of Defense",
        "slug": "ministry-of-defense",
        "kind": ActorKind.GOVERNMENT_BODY,
        "country": cast.japan.pk,
        "description": "",
        **{f"{prefix}-{key}": value for prefix in ["names", "identifiers"] for key, value in empty_formset().items()},
        **{f"roles-{key}": value for key, value in empty_formset(total=1).items()},
        "roles-0-title": "Minister",
        "roles-0-organization": cast.government.pk,
        "roles-0-start_date": "2025-10-21",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only a person holds a role" in response.text
    assert not Actor.objects.filter(slug="ministry-of-defense").exists()
    data["kind"] = ActorKind.PERSON
    data["name"] = data["slug"] = "someone"
    assert client.post(url, data).status_code == 302
    assert Role.objects.get(person__slug="someone").title == "Minister"


def empty_formset(total=0):
    return {"TOTAL_FORMS": str(total), "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}


def test_role_changelist_filters_roles_held_today(client, superuser, cast):
    client.force_login(superuser)
    response = client.get(reverse("admin:actors_role_changelist"), {"held": "now"})
    assert set(listed(response)) == {cast.defense.pk, cast.secretary_general.pk}
    response = client.get(reverse("admin:actors_role_changelist"), {"q": "小泉"})
    assert set(listed(response)) == {cast.defense.pk, cast.environment.pk}


def make_people(count):
    japan = Actor.objects.get(slug="japan")
    for number in range(count):
        ministry = make_actor(f"Ministry {number}", kind=ActorKind.GOVERNMENT_BODY, parent=japan, country=japan)
        person = make_actor(country=japan, names=[(f"名前{number}", "ja")])
        make_role(person, ministry, f"Minister {number % 3}", "2024-01-01")


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("admin:actors_actor_changelist", ""),
        ("admin:actors_actor_changelist", "?q=名前&kind__exact=person"),
        ("admin:actors_role_changelist", ""),
        ("admin:actors_role_changelist", "?held=now&q=Minister"),
    ],
)
def test_actor_changelists_do_not_query_per_row(client, superuser, cast, url_name, query):
    client.force_login(superuser)
    url = reverse(url_name) + query
    counts = []
    for batch in [3, 27]:
        make_people(batch)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append((len(queries), response.context["cl"].result_count))
    (few, few_rows), (many, many_rows) = counts
    assert many_rows >= few_rows + 27
    assert few == many, f"{few} queries for {few_rows} rows, {many} for {many_rows}"


def test_every_registered_admin_lists_adds_and_changes_for_a_superuser(client, superuser, cast):
    client.force_login(superuser)
    request = RequestFactory().get("/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        # django-axes' records of login attempts are made by logins only.
        views = ["changelist", "add"] if model_admin.has_add_permission(request) else ["changelist"]
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}") for view in views]
        first = model._default_manager.first()
        if first is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_an_actor_made_its_own_country_is_a_form_error_not_a_500(client, superuser, cast):
    client.force_login(superuser)
    empty = empty_formset
    data = {
        "name": "Japan",
        "slug": "japan",
        "kind": ActorKind.STATE,
        "country": cast.japan.pk,
        "parent": "",
        "description": "",
        **{f"{prefix}-{key}": value for prefix in ["names", "identifiers", "posts"] for key, value in empty().items()},
    }
    response = client.post(reverse("admin:actors_actor_change", args=[cast.japan.pk]), data)
    assert response.status_code == 200
    assert "An actor cannot be its own country." in response.text
    assert Actor.objects.get(pk=cast.japan.pk).country is None


def autocomplete(client, term, field="recipients"):
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "statements", "model_name": "statement", "field_name": field},
    )
    assert response.status_code == 200, response.content
    return [result["text"] for result in response.json()["results"]]


def test_the_actor_autocomplete_puts_an_exact_name_first_and_says_kind_and_country(client, superuser, japan):
    client.force_login(superuser)

    results = autocomplete(client, "Japan")

    assert results[0] == "Japan · state"
    assert "Government of Japan · government body, Japan" in results
    assert "Japan Joint Staff · military, Japan" in results


def test_the_actor_autocomplete_finds_a_name_in_its_own_script(client, superuser, japan):
    client.force_login(superuser)

    assert autocomplete(client, "小泉", field="speakers")[0] == "Shinjiro Koizumi · person, Japan"
    assert autocomplete(client, "小泉進次郎", field="speakers") == ["Shinjiro Koizumi · person, Japan"]


def test_a_chosen_actor_shows_its_kind_and_country_when_the_page_opens(client, superuser, japan):
    statement = make_statement([japan.koizumi], [japan.government], status=Status.DRAFT)
    client.force_login(superuser)

    page = client.get(reverse("admin:statements_statement_change", args=[statement.pk])).text

    assert "Government of Japan · government body, Japan" in page
