"""The admin of blind double tagging: a curator's annotations (their queue), the reviewer's assignment, side-by-side
adjudication and the agreement page. The rules are statements.annotations'; these pages only call them."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from simple_history.admin import SimpleHistoryAdmin

from statements import annotations
from statements.filters import StatementFilter
from statements.models import (
    Adjudication,
    Annotation,
    AnnotationTag,
    AssignmentRule,
    Intensity,
    Polarity,
    StanceCategory,
    Statement,
)
from statements.services import TagSpec, may_publish


class AnnotationTagInline(admin.TabularInline):
    model = AnnotationTag
    fields = ["category", "target_actor", "target_topic", "polarity", "intensity"]
    autocomplete_fields = ["target_actor", "target_topic"]
    extra = 2

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = StanceCategory.objects.default_taxonomy().order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.curator_id == request.user.pk and not obj.is_submitted

    has_change_permission = has_delete_permission = has_add_permission


class AnnotationForm(forms.ModelForm):
    submit = forms.BooleanField(
        required=False,
        label="Submit",
        help_text="I have finished tagging this statement: submit my annotation (it no longer changes, and I may "
        "read the other curators' annotations of it once they submit theirs).",
    )

    class Meta:
        model = Annotation
        fields = []


class OpenFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", "Assigned to me, not yet submitted"), ("submitted", "Submitted")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(curator=request.user, submitted_at__isnull=True)
        if self.value() == "submitted":
            return queryset.filter(submitted_at__isnull=False)
        return queryset


@admin.register(Annotation)
class AnnotationAdmin(SimpleHistoryAdmin):
    """A curator tags the statements assigned to them here, blind: another curator's annotation of a statement
    is not listed to them until they submit their own."""

    form = AnnotationForm
    inlines = [AnnotationTagInline]
    list_display = ["statement_summary", "curator", "assigned_at", "submitted_at"]
    list_filter = [OpenFilter]
    list_select_related = ["statement", "curator"]
    readonly_fields = ["statement_shown", "curator", "assigned_at", "submitted_at"]
    fields = ["statement_shown", "curator", "assigned_at", "submitted_at", "submit"]

    def get_queryset(self, request):
        return annotations.visible_annotations(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # assigned by a reviewer (the statements' action) or a rule

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.curator_id != request.user.pk or obj.is_submitted):
            return False
        return super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return self.fields
        return [name for name in self.fields if name != "submit"]

    @admin.display(description="statement")
    def statement_summary(self, annotation):
        return str(annotation.statement)

    @admin.display(description="statement")
    def statement_shown(self, annotation):
        statement = annotation.statement
        speakers = ", ".join(str(actor) for actor in statement.speakers.all())
        recipients = ", ".join(str(actor) for actor in statement.recipients.all())
        return format_html(
            "<div><strong>{}</strong> to {} on {} ({})</div><blockquote>{}</blockquote><div>{}</div>",
            speakers,
            recipients or "—",
            statement.date.isoformat(),
            statement.get_channel_display(),
            statement.text,
            statement.summary,
        )

    def save_model(self, request, obj, form, change):
        pass  # nothing of the annotation itself is edited here: its tags and its submission are (save_related)

    def save_related(self, request, form, formsets, change):
        # The inline's rows become the annotation's tags through the workflow, then the annotation is submitted.
        tags = []
        for formset in formsets:
            for row in formset.forms:
                data = getattr(row, "cleaned_data", None)
                if not data or data.get("DELETE") or not data.get("category"):
                    continue
                tags.append(
                    TagSpec(
                        data["category"],
                        data.get("target_actor"),
                        data.get("target_topic"),
                        data.get("polarity") or Polarity.NEUTRAL,
                        int(data.get("intensity") or Intensity.NEUTRAL),
                    )
                )
        try:
            with transaction.atomic():
                annotations.save_annotation(form.instance, user=request.user, tags=tags)
                if form.cleaned_data.get("submit"):
                    annotations.submit_annotation(form.instance, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)


class AssignForm(forms.Form):
    curators = forms.ModelMultipleChoiceField(
        queryset=get_user_model()
        .objects.filter(groups__name="curators", is_active=True)
        .distinct()
        .order_by("username"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Two or more: each tags every selected statement blind, in their own annotation.",
    )


def assign_action(modeladmin, request, queryset):
    """Assign the selected statements for blind double tagging (an intermediate page chooses the curators)."""
    if not may_publish(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        try:
            made = annotations.assign(queryset, curators=form.cleaned_data["curators"], user=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        modeladmin.message_user(request, f"{made} annotation(s) assigned.", messages.SUCCESS)
        return None
    return TemplateResponse(
        request,
        "statements/assign.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Assign for blind double tagging",
            "opts": modeladmin.model._meta,
            "form": form,
            "statements": queryset[:200],
            "count": queryset.count(),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        },
    )


assign_action.short_description = "Assign selected statements for blind double tagging…"
assign_action.allowed_permissions = ["publish"]


def adjudicate_view(modeladmin, request, object_id):
    """The statement's annotations side by side, one row per act and target, differences marked; the reviewer
    keeps, edits or drops each row and saves the result as the statement's gold tags."""
    if not may_publish(request.user):
        raise PermissionDenied
    statement = get_object_or_404(Statement, pk=object_id)
    rows = list(
        Annotation.objects.filter(statement=statement)
        .select_related("curator")
        .prefetch_related("tags__category", "tags__target_actor", "tags__target_topic")
    )
    table = annotations.aligned(statement, rows)
    error = None
    if request.method == "POST":
        tags = []
        for index, row in enumerate(table):
            if request.POST.get(f"keep-{index}") != "on":
                continue
            tags.append(
                TagSpec(
                    row["category"],
                    row["target"] if row["key"][1] else None,
                    row["target"] if row["key"][2] else None,
                    request.POST.get(f"polarity-{index}", Polarity.NEUTRAL),
                    int(request.POST.get(f"intensity-{index}", 0)),
                )
            )
        try:
            annotations.adjudicate(statement, user=request.user, tags=tags, note=request.POST.get("note", ""))
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            modeladmin.message_user(request, f"Gold tags of {statement} saved.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:statements_statement_change", args=[statement.pk]))
    for row in table:
        present = [cell for cell in row["cells"] if cell is not None]
        # Proposed: kept when every annotation has it, with the value most of them gave.
        row["keep"] = len(present) == len(rows)
        values = [(cell.polarity, cell.intensity) for cell in present]
        row["polarity"], row["intensity"] = max(set(values), key=values.count)
    return TemplateResponse(
        request,
        "statements/adjudicate.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": f"Adjudicate: {statement}",
            "opts": Statement._meta,
            "statement": statement,
            "annotations": rows,
            "table": table,
            "open": [row for row in rows if not row.is_submitted],
            "adjudication": Adjudication.objects.filter(statement=statement).first(),
            "polarities": Polarity.choices,
            "intensities": Intensity.choices,
            "error": error,
        },
    )


AGREEMENT_FILTERS = ("speaker", "country", "stance", "topic", "date_after", "date_before")


def agreement_view(modeladmin, request):
    """Agreement between curators over any statement filter of the API (?speaker=…&date_after=…)."""
    if not request.user.has_perm("statements.view_annotation"):
        raise PermissionDenied
    filterset = StatementFilter(request.GET, queryset=Statement.objects.all(), request=request)
    statements = filterset.qs if filterset.is_valid() else Statement.objects.none()
    result = annotations.agreement_of(statements)
    for row in result["rows"]:
        row["alpha_width"] = max(0, round((row["alpha"] or 0) * 100))
    return TemplateResponse(
        request,
        "statements/agreement.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Agreement between curators",
            "opts": Statement._meta,
            "result": result,
            "filter_errors": filterset.errors if not filterset.is_valid() else None,
            "filters": [(name, request.GET.get(name, "")) for name in AGREEMENT_FILTERS],
        },
    )


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "every", "active", "seen"]
    filter_horizontal = ["curators"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "curators":
            kwargs["queryset"] = get_user_model().objects.filter(groups__name="curators").distinct()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Adjudication)
class AdjudicationAdmin(SimpleHistoryAdmin):
    list_display = ["statement", "adjudicated_by", "adjudicated_at"]
    list_select_related = ["statement", "adjudicated_by"]
    readonly_fields = ["statement", "adjudicated_by", "adjudicated_at", "note"]

    def has_add_permission(self, request):
        return False  # made by adjudicating (the statement's Adjudicate page)

    def has_delete_permission(self, request, obj=None):
        return False
