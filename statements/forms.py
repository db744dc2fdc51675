"""Admin forms for curating statements: the workflow rules a curator meets as form errors, never a 500."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from statements import codebook
from statements.models import StanceCategory, StanceTag, Statement, Status, Taxonomy

DATE_HELP_TEXT = (
    "The day it was said. With month precision the date is stored as the first of that month "
    "(any day in December 2025 is kept as 2025-12-01); with year precision as 1 January of that year."
)
STATUS_HELP_TEXT = "Publishing and retracting need the permission to publish statements (reviewers)."
PUBLISH_DENIED = (
    "You may move a statement between draft and in review; publishing and retracting need the "
    "permission to publish statements. Ask a reviewer."
)


def grouped_category_choices():
    """Every stance category, grouped under its family ("K Concern" holds K, K1, K2), in one query.

    Categories of another taxonomy than the default get its name in their group's label.
    """
    categories = list(StanceCategory.objects.select_related("taxonomy"))
    by_id = {category.pk: category for category in categories}
    groups = {}
    for category in categories:
        root, seen = category, set()
        while root.parent_id in by_id and root.pk not in seen:
            seen.add(root.pk)
            root = by_id[root.parent_id]
        groups.setdefault(root, []).append((category.pk, str(category)))
    several_taxonomies = len({category.taxonomy_id for category in categories}) > 1

    def group_label(root):
        return f"{root.taxonomy}: {root}" if several_taxonomies and not root.taxonomy.is_default else str(root)

    return [("", "---------")] + [(group_label(root), options) for root, options in groups.items()]


class StatementForm(forms.ModelForm):
    """The statement form. The admin sets `can_publish` from the user's permission."""

    # The version the curator loaded: a save over someone else's newer save is refused, as the API's 409 does.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Why: kept with the history entry of this save (and with a revision a reviewer reads).
    change_reason = forms.CharField(
        label="why this change",
        max_length=100,
        required=False,
        help_text="Kept in the history: “typo”, “per the readout”.",
    )

    can_publish = False

    class Meta:
        model = Statement
        fields = [
            "speakers",
            "recipients",
            "date",
            "date_precision",
            "channel",
            "text",
            "is_direct_quote",
            "language",
            "summary",
            "topics",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version
        if "date" in self.fields:
            self.fields["date"].help_text = DATE_HELP_TEXT
        status = self.fields.get("status")
        if status is not None and not self.can_publish:
            # A curator may keep the status a reviewer set, but not set published or retracted, nor take a
            # statement out of them: sending a published one back to draft would retract it from the public.
            allowed = {Status.DRAFT, Status.IN_REVIEW}
            if self.instance.pk and self.instance.status in {Status.PUBLISHED, Status.RETRACTED}:
                allowed = {self.instance.status}
            status.choices = [(value, label) for value, label in Status.choices if value in allowed]
            status.error_messages["invalid_choice"] = PUBLISH_DENIED
            status.help_text = STATUS_HELP_TEXT

    def clean(self):
        cleaned_data = super().clean()
        seen_version = cleaned_data.get("seen_version")
        if self.instance.pk and seen_version is not None and seen_version != self.instance.version:
            raise ValidationError(
                "Someone else saved this statement (now version %(current)s) after you opened version "
                "%(seen)s. Open it again and reapply your changes.",
                code="stale_version",
                params={"current": self.instance.version, "seen": seen_version},
            )
        return cleaned_data


class CitationFormSet(BaseInlineFormSet):
    """A statement's citations: a published statement keeps at least one."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # The admin builds this formset around the form's instance, which carries the cleaned status.
        if self.instance.status != Status.PUBLISHED:
            return
        kept = [form for form in self.forms if form.cleaned_data.get("source") and not self._should_delete_form(form)]
        if not kept:
            raise ValidationError(
                "A published statement needs at least one citation: add the source it is recorded in, "
                "or keep the statement in review.",
                code="citation_required",
            )


class CodebookSelect(forms.Select):
    """The category select; each option carries its codebook description, which the form shows under it."""

    def __init__(self, *args, descriptions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.descriptions = descriptions or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        description, code = self.descriptions.get(str(value), ("", ""))
        if description:
            option["attrs"]["title"] = description
        if code:
            # Its family's letter: codebook.js words the intensity choices on that family's scale.
            option["attrs"]["data-family"] = code[:1]
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-scales"] = json.dumps(codebook.codebook()["intensity"])
        return context


def category_descriptions():
    """{category id (text): (description, code)} for every category, in one query."""
    rows = StanceCategory.objects.values_list("pk", "description", "code")
    return {str(pk): (description, code) for pk, description, code in rows}


def intensity_help_text():
    return "Graded on the act's family scale. " + "; ".join(
        f"{family}: {labels}" for family, labels in codebook.intensity_help()
    )


class StanceTagForm(forms.ModelForm):
    """One stance tag. The category select groups acts under their family ("K1 Express concern" under K) and
    shows the codebook's description of the chosen act; intensity's help gives each family's scale."""

    class Meta:
        model = StanceTag
        fields = ["statement", "category", "target_actor", "target_topic", "polarity", "intensity"]

    def __init__(self, *args, category_choices=None, descriptions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            field = self.fields["category"]
            field.choices = category_choices if category_choices is not None else grouped_category_choices()
            field.widget = CodebookSelect(
                choices=field.choices,
                attrs={"class": "codebook-category"},
                descriptions=descriptions if descriptions is not None else category_descriptions(),
            )
        if "intensity" in self.fields:
            self.fields["intensity"].help_text = intensity_help_text()

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("target_actor") and cleaned_data.get("target_topic"):
            # A field error also keeps the database's one-target constraint from reporting the same thing.
            self.add_error("target_topic", "A tag has one target: an actor or a topic, not both.")
        return cleaned_data


class StanceTagAdminForm(StanceTagForm):
    """A stance tag edited on its own page: also refuses a second tag for the same act and target."""

    def clean(self):
        cleaned_data = super().clean()
        statement = cleaned_data.get("statement") or (self.instance.statement if self.instance.statement_id else None)
        category = cleaned_data.get("category")
        if statement is None or category is None or self.has_error("target_topic"):
            return cleaned_data
        target_actor, target_topic = cleaned_data.get("target_actor"), cleaned_data.get("target_topic")
        duplicates = StanceTag.objects.filter(
            statement=statement, category=category, target_actor=target_actor, target_topic=target_topic
        ).exclude(pk=self.instance.pk)
        if duplicates.exists():
            target = target_actor or target_topic
            self.add_error("category", f"This statement already carries {tag_label(category, target)}.")
        return cleaned_data


def tag_label(category, target):
    return f"{category} toward {target}" if target else f"{category} without a target"


class StanceTagFormSet(BaseInlineFormSet):
    """A statement's stance tags: one per act and target, and the category choices built once for all rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_choices = self.descriptions = None

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.category_choices is None:
            self.category_choices = grouped_category_choices()
            self.descriptions = category_descriptions()
        kwargs["category_choices"] = self.category_choices
        kwargs["descriptions"] = self.descriptions
        return kwargs

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            category = form.cleaned_data["category"]
            target_actor, target_topic = form.cleaned_data.get("target_actor"), form.cleaned_data.get("target_topic")
            key = (category.pk, getattr(target_actor, "pk", None), getattr(target_topic, "pk", None))
            if key in seen:
                raise ValidationError(
                    f"{tag_label(category, target_actor or target_topic)} is tagged twice: "
                    "keep one tag per act and target.",
                    code="duplicate",
                )
            seen.add(key)


class TaxonomyForm(forms.ModelForm):
    class Meta:
        model = Taxonomy
        fields = ["name", "slug", "version", "description", "is_default"]

    def clean_is_default(self):
        is_default = self.cleaned_data["is_default"]
        current = Taxonomy.objects.filter(is_default=True).exclude(pk=self.instance.pk).first()
        if is_default and current is not None:
            raise ValidationError(f"{current} is the default taxonomy: unset it there first.")
        return is_default
