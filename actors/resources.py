"""Actors as a CSV or XLSX table, for the admin's import and export: one row an actor, keyed by its slug.

Actors are a few thousand rows, so import-export's row-by-row machinery serves well: each row is
read, checked by the models' full_clean and saved inside one transaction (rolled back after a
preview), so a later row may name an actor an earlier one adds. Names and identifiers travel in
one cell each ("小泉進次郎@ja | Koizumi Shinjiro@ja-Latn", "wikidata:Q1060597 | cameo:JPNGOV"), and
an imported actor's are brought to the file's: added, kept, removed.
"""

import functools
import operator
import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from import_export import fields, resources, widgets

from actors.models import Actor, ActorIdentifier, ActorName
from config.admin_files import LinedResult, cell_text, number_lines

SEPARATOR = " | "
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def names_cell(names):
    return SEPARATOR.join(f"{name.name}@{name.language}" if name.language else name.name for name in names)


def identifiers_cell(identifiers):
    return SEPARATOR.join(f"{identifier.scheme}:{identifier.value}" for identifier in identifiers)


def read_names(text):
    """[(name, language)] of a names cell; "name@language", or a bare name when what follows the last @ is no tag."""
    names = []
    for item in text.split("|"):
        name, at, language = item.strip().rpartition("@")
        if at and name.strip() and LANGUAGE_TAG.match(language):
            names.append((name.strip(), language))
        elif item.strip():
            names.append((item.strip(), ""))
    return list(dict.fromkeys(names))


def read_identifiers(text):
    """[(scheme, value)] of an identifiers cell, or ValidationError naming each item that is not scheme:value."""
    identifiers, faults = [], []
    for item in (item.strip() for item in text.split("|")):
        scheme, colon, value = item.partition(":")
        if not item:
            continue
        if not (colon and scheme.strip() and value.strip()):
            faults.append(f"{item!r} is not scheme:value (wikidata:Q17).")
        identifiers.append((scheme.strip(), value.strip()))
    if faults:
        raise ValidationError(faults)
    return list(dict.fromkeys(identifiers))


def parents_first(actors):
    """`actors` in their order, except that each comes after its country and parent when those are among them."""
    by_id = {actor.pk: actor for actor in actors}
    placed, ordered = set(), []

    def place(actor, path):
        if actor.pk in placed or actor.pk in path:
            return
        path.add(actor.pk)
        for named in (actor.country_id, actor.parent_id):
            if named in by_id:
                place(by_id[named], path)
        placed.add(actor.pk)
        ordered.append(actor)

    for actor in actors:
        place(actor, set())
    return ordered


def bring(related, keys, wanted):
    """Make an actor's names or identifiers (the manager `related`) those of `wanted`: add, keep, remove."""
    held = {tuple(getattr(item, key) for key in keys): item.pk for item in related.all()}
    related.filter(pk__in=[pk for key, pk in held.items() if key not in set(wanted)]).delete()
    for values in wanted:
        if values not in held:
            related.create(**dict(zip(keys, values, strict=True)))


class ActorSlugWidget(widgets.ForeignKeyWidget):
    """An actor named by its slug; one that does not exist is a fault of the row, shown with the row."""

    def __init__(self):
        super().__init__(Actor, field="slug")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Actor.DoesNotExist:
            raise ValueError(
                f"No actor has the slug {value!r} (an actor this file adds must come before the rows naming it)."
            ) from None


class ActorDiff(resources.Diff):
    """The preview's before and after, names and identifiers included (they are no attributes of the actor)."""

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.left = self.values(resource, instance)

    def compare_with(self, resource, instance):
        self.right = self.values(resource, instance)

    @staticmethod
    def values(resource, instance):
        return [resource.export_field(field, instance) for field in resource.get_import_fields()]


class ActorResource(resources.ModelResource):
    country = fields.Field(attribute="country", column_name="country", widget=ActorSlugWidget())
    parent = fields.Field(attribute="parent", column_name="parent", widget=ActorSlugWidget())
    # Read and written by the methods below, not set on the actor.
    names = fields.Field(column_name="names")
    identifiers = fields.Field(column_name="identifiers")

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "country", "parent", "description", "names", "identifiers"]
        import_id_fields = ["slug"]
        skip_unchanged = True
        clean_model_instances = True
        use_transactions = True

    @classmethod
    def get_result_class(cls):
        return LinedResult

    @classmethod
    def get_diff_class(cls):
        return ActorDiff

    def iter_queryset(self, queryset):
        # Countries and parents come first, so that the file imports into a database without them.
        return parents_first(
            list(queryset.select_related("country", "parent").prefetch_related("names", "identifiers"))
        )

    def dehydrate_names(self, actor):
        return names_cell(actor.names.all()) if actor.pk else ""

    def dehydrate_identifiers(self, actor):
        return identifiers_cell(actor.identifiers.all()) if actor.pk else ""

    def before_import_row(self, row, **kwargs):
        # A spreadsheet hands back numbers and dates; the columns are text, as in a CSV file.
        for column, value in row.items():
            row[column] = cell_text(value) if column == "description" else cell_text(value).strip()

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "names" in row:
            instance.imported_names = read_names(row["names"])
            self.check_parts(
                errors, "names", [ActorName(name=name, language=lang) for name, lang in instance.imported_names]
            )
        if "identifiers" in row:
            try:
                instance.imported_identifiers = read_identifiers(row["identifiers"])
            except ValidationError as error:
                errors["identifiers"] = error.messages
            else:
                self.check_identifiers(errors, instance)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def check_parts(errors, column, parts):
        for part in parts:
            try:
                part.full_clean(exclude=["actor"], validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                errors.setdefault(column, []).extend(
                    f"{part}: {message}" for messages in error.message_dict.values() for message in messages
                )

    def check_identifiers(self, errors, actor):
        parts = [ActorIdentifier(scheme=scheme, value=value) for scheme, value in actor.imported_identifiers]
        self.check_parts(errors, "identifiers", parts)
        if not parts or "identifiers" in errors:
            return
        # Unique per scheme: one query for the identifiers another actor already holds.
        either = functools.reduce(operator.or_, [Q(scheme=part.scheme, value=part.value) for part in parts])
        held = ActorIdentifier.objects.filter(either).select_related("actor")
        if actor.pk is not None:
            held = held.exclude(actor=actor)
        for identifier in held:
            errors.setdefault("identifiers", []).append(f"{identifier} is already {identifier.actor.slug}'s.")

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        for related, keys, imported in self.parts(instance):
            if imported is not None:
                held = set(getattr(original, related).values_list(*keys)) if original.pk else set()
                if set(imported) != held:
                    return False
        return True

    def after_save_instance(self, instance, row, **kwargs):
        for related, keys, imported in self.parts(instance):
            if imported is not None:
                bring(getattr(instance, related), keys, imported)

    @staticmethod
    def parts(actor):
        """(related name, key columns, the file's values or None without the column) of names and identifiers."""
        return [
            ("names", ("name", "language"), getattr(actor, "imported_names", None)),
            ("identifiers", ("scheme", "value"), getattr(actor, "imported_identifiers", None)),
        ]

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        number_lines(dataset, result)
