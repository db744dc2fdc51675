"""The default taxonomy, DST v1, as the data migration loads it into every database."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

import pytest

from statements.models import Plover, QuadClass, StanceCategory, Status, Taxonomy
from tests.factories import make_actor, make_statement

FAMILIES = ["A", "C", "D", "E", "K", "O", "P", "R", "S", "W", "X"]


def dst(code):
    return StanceCategory.objects.default_taxonomy().get(code=code)


@pytest.mark.django_db
def test_the_migration_loads_all_fifty_rows_of_dst_v1():
    categories = StanceCategory.objects.filter(taxonomy__slug="dst-v1")

    assert categories.count() == 50
    assert sorted(categories.filter(parent__isnull=True).values_list("code", flat=True)) == FAMILIES
    assert categories.filter(parent__isnull=False).count() == 39


@pytest.mark.django_db
def test_dst_v1_is_the_one_default_taxonomy():
    default = Taxonomy.objects.get(is_default=True)

    assert (default.slug, default.name, default.version) == ("dst-v1", "Diplomatic Stance Taxonomy", "1")


@pytest.mark.django_db
def test_the_database_allows_only_one_default_taxonomy():
    with pytest.raises(IntegrityError), transaction.atomic():
        Taxonomy.objects.create(slug="cameo", name="CAMEO", version="1.1b3", is_default=True)


@pytest.mark.django_db
def test_every_act_sits_under_the_family_of_its_letter():
    for act in StanceCategory.objects.default_taxonomy().filter(parent__isnull=False).select_related("parent"):
        assert act.parent.code == act.code[0], act.code
        assert act.parent.quad == act.quad, act.code


@pytest.mark.django_db
def test_k1_sits_under_k():
    assert dst("K1").parent == dst("K")
    assert dst("K").parent is None


@pytest.mark.django_db
def test_cameo_codes_are_text_with_their_leading_zeros():
    assert dst("S1").cameo == "010"
    assert dst("P2").cameo == "0256"
    assert dst("D2").cameo == "1056"
    assert dst("S").cameo == "01"


@pytest.mark.django_db
def test_e2_is_a_plover_consult_by_phone():
    e2 = dst("E2")

    assert (e2.label, e2.cameo, e2.plover, e2.plover_mode) == ("Phone or video call", "041", Plover.CONSULT, "phone")
    assert dst("E1").plover_mode == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code, cameo, plover, quad",
    [
        ("S1", "010", "", QuadClass.VERBAL_COOPERATION),
        ("A1", "051", Plover.SUPPORT, QuadClass.VERBAL_COOPERATION),
        ("C4", "057", Plover.SUPPORT, QuadClass.VERBAL_COOPERATION),
        ("K1", "012", Plover.ACCUSE, QuadClass.VERBAL_CONFLICT),
        ("R2", "016", Plover.REJECT, QuadClass.VERBAL_CONFLICT),
        ("W3", "138", Plover.THREATEN, QuadClass.VERBAL_CONFLICT),
        ("X1", "150", Plover.MOBILIZE, QuadClass.MATERIAL_CONFLICT),
        ("X3", "170", Plover.COERCE, QuadClass.MATERIAL_CONFLICT),
    ],
)
def test_acts_map_to_cameo_plover_and_quad_class(code, cameo, plover, quad):
    category = dst(code)

    assert (category.cameo, category.plover, category.quad) == (cameo, plover, quad)


@pytest.mark.django_db
def test_no_category_claims_material_cooperation():
    # DST v1 maps nothing to quad 2; a row there would be a typo in the migration.
    assert not StanceCategory.objects.default_taxonomy().filter(quad=QuadClass.MATERIAL_COOPERATION).exists()


@pytest.mark.django_db
def test_with_descendants_takes_a_family_and_its_acts():
    ids = StanceCategory.objects.with_descendants([dst("K")])

    assert ids == {dst("K").pk, dst("K1").pk, dst("K2").pk}


@pytest.mark.django_db
@pytest.mark.parametrize("new_parent", ["K", "K1"])
def test_validation_rejects_a_family_beneath_itself_or_its_act(new_parent):
    family = dst("K")
    family.parent = dst(new_parent)

    with pytest.raises(ValidationError, match="beneath itself"):
        family.clean()


@pytest.mark.django_db
def test_every_dst_v1_category_has_a_codebook_description_with_an_example():
    categories = StanceCategory.objects.default_taxonomy()

    assert categories.count() == 50
    assert all("Example:" in description for description in categories.values_list("description", flat=True))


@pytest.mark.django_db
def test_the_tag_form_shows_the_codebook_and_each_familys_intensity_scale(admin_client):
    statement = make_statement([make_actor("Shinjiro Koizumi")], status=Status.DRAFT)

    page = admin_client.get(reverse("admin:statements_statement_change", args=[statement.pk])).text

    k1 = StanceCategory.objects.default_taxonomy().get(code="K1")
    assert f'title="{escape(k1.description)}"' in page
    assert "statements/codebook.js" in page
    assert escape("K: 0 neutral, 1 concern, 2 serious concern") in page
    assert escape("A: 0 neutral, 1 supportive") in page
