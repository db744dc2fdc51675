"""Actors: names in any script, identifiers unique per scheme, and the rules the database keeps."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

import pytest

from actors.models import Actor, ActorIdentifier, ActorKind, IdentifierScheme
from tests.factories import make_actor, make_role


@pytest.mark.django_db
def test_search_finds_an_actor_by_any_name_in_any_script():
    koizumi = make_actor(
        "Shinjiro Koizumi", slug="shinjiro-koizumi", names=[("小泉進次郎", "ja"), ("Koizumi Shinjiro", "ja-Latn")]
    )
    make_actor("Gen Nakatani", names=[("中谷元", "ja")])

    assert list(Actor.objects.search("小泉")) == [koizumi]
    assert list(Actor.objects.search("koizumi shinjiro")) == [koizumi]
    assert list(Actor.objects.search("SHINJIRO")) == [koizumi]
    assert list(Actor.objects.search("shinjiro-koizumi")) == [koizumi]


@pytest.mark.django_db
def test_search_ignores_case_outside_ascii():
    russia = make_actor("Russia", kind=ActorKind.STATE, names=[("Россия", "ru")])

    assert list(Actor.objects.search("РОССИЯ")) == [russia]


@pytest.mark.django_db
def test_search_returns_each_actor_once_even_when_several_names_match():
    china = make_actor("China", kind=ActorKind.STATE, names=[("中国", "zh-Hans"), ("中华人民共和国", "zh-Hans")])

    assert list(Actor.objects.search("中")) == [china]


@pytest.mark.django_db
def test_an_identifier_value_is_unique_within_its_scheme():
    japan = make_actor("Japan", kind=ActorKind.STATE)
    other = make_actor("Not Japan", kind=ActorKind.STATE)
    ActorIdentifier.objects.create(actor=japan, scheme=IdentifierScheme.WIKIDATA, value="Q17")

    with pytest.raises(IntegrityError), transaction.atomic():
        ActorIdentifier.objects.create(actor=other, scheme=IdentifierScheme.WIKIDATA, value="Q17")


@pytest.mark.django_db
def test_the_same_value_in_two_schemes_is_allowed():
    japan = make_actor("Japan", kind=ActorKind.STATE)

    ActorIdentifier.objects.create(actor=japan, scheme=IdentifierScheme.ISO3166_ALPHA3, value="JPN")
    ActorIdentifier.objects.create(actor=japan, scheme=IdentifierScheme.CAMEO, value="JPN")

    assert japan.identifiers.count() == 2


@pytest.mark.django_db
def test_the_database_rejects_an_unknown_identifier_scheme():
    japan = make_actor("Japan", kind=ActorKind.STATE)
    identifier = ActorIdentifier.objects.create(actor=japan, scheme=IdentifierScheme.WIKIDATA, value="Q17")

    with pytest.raises(IntegrityError), transaction.atomic():
        ActorIdentifier.objects.filter(pk=identifier.pk).update(scheme="isbn")


@pytest.mark.django_db
def test_the_database_rejects_an_unknown_kind_and_an_actor_its_own_parent():
    japan = make_actor("Japan", kind=ActorKind.STATE)

    with pytest.raises(IntegrityError), transaction.atomic():
        Actor.objects.filter(pk=japan.pk).update(kind="planet")
    with pytest.raises(IntegrityError), transaction.atomic():
        Actor.objects.filter(pk=japan.pk).update(parent=japan)


@pytest.mark.django_db
def test_validation_rejects_a_country_that_is_not_a_state_and_a_parent_cycle():
    japan = make_actor("Japan", kind=ActorKind.STATE)
    ministry = make_actor("Ministry of Defense", kind=ActorKind.GOVERNMENT_BODY, parent=japan)
    joint_staff = make_actor("Japan Joint Staff", kind=ActorKind.MILITARY, parent=ministry)

    joint_staff.country = ministry
    with pytest.raises(ValidationError, match="state"):
        joint_staff.clean()

    ministry.parent = joint_staff
    with pytest.raises(ValidationError, match="beneath itself"):
        ministry.clean()


@pytest.mark.django_db
def test_validation_rejects_an_actor_its_own_country():
    japan = make_actor("Japan", kind=ActorKind.STATE)

    japan.country = japan
    with pytest.raises(ValidationError, match="its own country"):
        japan.clean()


@pytest.mark.django_db
def test_validation_keeps_a_country_a_state_and_an_organization_with_posts_not_a_person():
    japan = make_actor("Japan", kind=ActorKind.STATE)
    government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY, country=japan)
    koizumi = make_actor("Shinjiro Koizumi")
    make_role(koizumi, government)

    japan.kind = ActorKind.PERSON
    with pytest.raises(ValidationError, match="must stay a state"):
        japan.clean()
    japan.kind = ActorKind.STATE
    government.kind = ActorKind.PERSON
    with pytest.raises(ValidationError, match="cannot be a person"):
        government.clean()
