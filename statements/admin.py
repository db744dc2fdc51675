"""The curators' workbench: statements with their citations and stance tags, sources, topics, the taxonomy."""

import datetime
import functools
import operator
import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from import_export.forms import ConfirmImportForm, ImportForm
from simple_history.admin import SimpleHistoryAdmin

from actors.models import Actor, ActorKind, Role, role_held_on
from config.admin import (
    AutocompleteLabelsMixin,
    CappedCountMixin,
    RelatedIconsMixin,
    SubquerySearchMixin,
    WordSearchMixin,
)
from config.admin_files import FileImportExportMixin
from config.db import AnyOf
from statements import annotation_admin, search, services
from statements.forms import (
    CitationFormSet,
    StanceTagAdminForm,
    StanceTagForm,
    StanceTagFormSet,
    StatementForm,
    TaxonomyForm,
)
from statements.models import (
    Adjudication,
    Annotation,
    Citation,
    DatePrecision,
    Revision,
    RevisionStatus,
    Source,
    StanceCategory,
    StanceTag,
    Statement,
    StatementIdentifier,
    StatementRecipient,
    StatementSpeaker,
    Status,
    Taxonomy,
    Topic,
    TopicAlias,
)
from statements.resources import StatementResource
from statements.timeline import timeline


def roles_html(speakers, date):
    """Each speaker's role on `date`, and a warning for a person who held none (a wrong date, or a missing role)."""
    held = Role.objects.on(date).filter(person__in=speakers).select_related("organization")
    roles = {}
    for role in held:
        roles.setdefault(role.person_id, []).append(role)
    rows = []
    for speaker in speakers:
        role = role_held_on(roles.get(speaker.pk, []), date)
        if role is not None:
            rows.append(("", speaker.name, f"{role.title}, {role.organization}"))
        elif speaker.kind == ActorKind.PERSON:
            rows.append(
                ("warning", speaker.name, f"no role recorded on {date.isoformat()}: check the date or add the role")
            )
        else:
            rows.append(("", speaker.name, speaker.get_kind_display().lower()))
    return format_html_join("\n", '<div class="{}">{}: {}</div>', rows)


def workflow_messages(error):
    """The words of a refusal from statements.services."""
    return getattr(error, "messages", None) or [str(error)]


admin.site.site_header = "Statement tracker"
admin.site.site_title = "Statement tracker"
admin.site.index_title = "Curation of diplomatic statements, actors and stances"

PUBLISH_PERMISSION = services.PUBLISH_PERMISSION


class QueueFilter(admin.SimpleListFilter):
    """A curator's and a reviewer's work lists: my drafts, what awaits review, what still needs tags."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", "My drafts"),
            ("review", "Awaiting review"),
            ("untagged", "Untagged"),
            ("revised", "Has a proposed revision"),
            ("annotate", "Assigned to me to tag blind, not yet submitted"),
            ("adjudicate", "Annotations submitted, awaiting adjudication"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(status=Status.DRAFT, created_by=request.user)
        if self.value() == "review":
            return queryset.filter(status=Status.IN_REVIEW)
        if self.value() == "untagged":
            return queryset.filter(~Exists(StanceTag.objects.filter(statement=OuterRef("pk"))))
        if self.value() == "revised":
            proposed = Revision.objects.filter(statement=OuterRef("pk"), status=RevisionStatus.PROPOSED)
            return queryset.filter(Exists(proposed))
        if self.value() == "annotate":
            mine = Annotation.objects.filter(statement=OuterRef("pk"), curator=request.user, submitted_at__isnull=True)
            return queryset.filter(Exists(mine))
        if self.value() == "adjudicate":
            annotated = Annotation.objects.filter(statement=OuterRef("pk"))
            still_open = annotated.filter(submitted_at__isnull=True)
            settled = Adjudication.objects.filter(statement=OuterRef("pk"))
            return queryset.filter(Exists(annotated), ~Exists(still_open), ~Exists(settled))
        return queryset


class StanceCategoryFilter(admin.SimpleListFilter):
    """The default taxonomy's categories; a family (K) matches its own tags and every act beneath it."""

    title = "stance category"
    parameter_name = "stance"

    def lookups(self, request, model_admin):
        categories = StanceCategory.objects.default_taxonomy().only("pk", "code", "label", "parent_id")
        children = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)

        def tree(parent_id, depth):
            for category in children.get(parent_id, []):
                # Em spaces survive HTML whitespace collapsing, so acts sit indented under their family.
                yield category.code, "\u2003" * depth + str(category)
                yield from tree(category.pk, depth + 1)

        return list(tree(None, 0))

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        category = StanceCategory.objects.default_taxonomy().filter(code=self.value()).first()
        if category is None:
            return queryset.none()
        return queryset.tagged([category])


class YearFilter(admin.SimpleListFilter):
    """Statements of one year, offered from the first to the last year recorded (two index lookups)."""

    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        span = Statement.objects.aggregate(first=Min("date"), last=Max("date"))
        if span["first"] is None:
            return []
        return [(str(year), str(year)) for year in range(span["last"].year, span["first"].year - 1, -1)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not (self.value().isascii() and self.value().isdigit() and 1 <= int(self.value()) <= 9999):
            raise IncorrectLookupParameters(f"{self.value()!r} is not a year.")
        return queryset.filter(date__year=int(self.value()))


class StatementIdentifierInline(admin.TabularInline):
    """The statement's identifiers in other systems; its own uuid is shown above and never changes."""

    model = StatementIdentifier
    fields = ["scheme", "value"]
    extra = 0
    verbose_name_plural = "identifiers in other systems (gdelt, icews, polecat, plover…)"


class CitationInline(RelatedIconsMixin, admin.TabularInline):
    model = Citation
    formset = CitationFormSet
    fields = ["source", "attribution"]
    autocomplete_fields = ["source"]
    related_icons = {"source": {"add", "change"}}
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class StanceTagInline(AutocompleteLabelsMixin, RelatedIconsMixin, admin.TabularInline):
    model = StanceTag
    form = StanceTagForm
    formset = StanceTagFormSet

    class Media:
        js = ["statements/codebook.js"]

    # Compact: every field of a tag visible at once at 1280 px; when it was made is in the history.
    fields = ["category", "target_actor", "target_topic", "polarity", "intensity", "curator"]
    readonly_fields = ["curator"]
    autocomplete_fields = ["target_actor", "target_topic"]
    related_icons = {"category": set(), "target_actor": {"add"}, "target_topic": {"add"}}
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "target_actor", "target_topic", "curator")


IMPORT_STATUS_HELP = (
    "What the new statements become; stored statements keep theirs, unless the file's status column is taken."
)


class StatementImportForm(ImportForm):
    status = forms.ChoiceField(initial=Status.DRAFT, help_text=IMPORT_STATUS_HELP)


class StatementConfirmImportForm(ConfirmImportForm):
    status = forms.ChoiceField(widget=forms.HiddenInput)


@admin.register(Statement)
class StatementAdmin(
    AutocompleteLabelsMixin, FileImportExportMixin, CappedCountMixin, WordSearchMixin, SimpleHistoryAdmin
):
    form = StatementForm

    class Media:
        css = {"all": ["statements/admin.css"]}
        js = ["statements/statement_form.js"]

    list_display = [
        "when",
        "speaker_names",
        "recipient_names",
        "channel",
        "status",
        "short_summary",
        "tag_codes",
    ]
    list_display_links = ["when", "short_summary"]
    # No date_hierarchy: it lists the distinct years, months or days of every matching row. The year
    # filter reads the first and last date from the ends of the date index instead.
    list_filter = [
        QueueFilter,
        "status",
        "channel",
        StanceCategoryFilter,
        YearFilter,
        ("date", admin.DateFieldListFilter),
        "date_precision",
    ]
    # No foreign key is shown in the list; the many-to-many columns are prefetched in get_queryset.
    list_select_related = False
    # Shown as the search box's fields; the search itself is search_word, which indexes serve.
    search_fields = ["speakers__name", "recipients__name", "text", "summary"]
    search_help_text = (
        "Each word (or \"quoted phrase\") must be a speaker's or recipient's name or alias in any script "
        "(Koizumi, 小泉), or in the text or summary; or an identifier (gdelt:1234567, uuid:…)."
    )
    # Facet counts would run the stance filter's subtree lookup once per category (50) and count each.
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ["speakers", "recipients", "topics"]
    readonly_fields = [
        "speaker_roles",
        "pending_revisions",
        "uuid",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["speakers", "speaker_roles", "recipients", "date", "date_precision", "channel"]}),
        ("What was said", {"fields": ["text", "is_direct_quote", "language", "summary", "topics"]}),
        (
            "Curation",
            {
                "fields": [
                    "status",
                    "change_reason",
                    "pending_revisions",
                    "seen_version",
                    "uuid",
                    ("version", "created_by"),
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]
    # The tags first, closest to the text they judge.
    inlines = [StanceTagInline, CitationInline, StatementIdentifierInline]
    actions = ["send_to_review", "publish", annotation_admin.assign_action]
    resource_classes = [StatementResource]
    import_form_class = StatementImportForm
    confirm_form_class = StatementConfirmImportForm
    # The import writes each statement's history with the importing user; a log entry per row would repeat it.
    skip_admin_log = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "speakers",
                "recipients",
                Prefetch(
                    "stance_tags",
                    queryset=StanceTag.objects.select_related("category", "target_actor", "target_topic"),
                ),
            )
        )

    def named(self, word):
        """The speaker and recipient links to actors any name or alias of which holds `word`."""
        actor_ids = list(Actor.objects.search(word).values_list("pk", flat=True))
        return [model.objects.filter(AnyOf("actor", actor_ids)) for model in (StatementSpeaker, StatementRecipient)]

    def word_ids(self, word, *, on_postgresql):
        # Names resolve to actors first (a few thousand rows); statements come through the link
        # tables' actor indexes and the text index: a union of ids, never a join per name.
        worded = search.matching(Statement.objects.order_by(), [word], on_postgresql=on_postgresql)
        links = [link.values_list("statement", flat=True) for link in self.named(word)]
        return worded.values_list("pk", flat=True).union(*links, *self.identified(word), all=True)

    def identified(self, word):
        """The statement a word of the form scheme:value identifies (uuid:…, gdelt:1234567), as a query of its id."""
        scheme, separator, value = word.partition(":")
        if not (separator and scheme and value):
            return []
        if scheme == "uuid":
            try:
                return [Statement.objects.filter(uuid=uuid.UUID(value)).order_by().values_list("pk", flat=True)]
            except ValueError:
                return []
        held = StatementIdentifier.objects.filter(scheme=scheme, value=value).order_by()
        return [held.values_list("statement", flat=True)]

    def word_condition(self, word, *, on_postgresql):
        # One EXISTS over both link tables: two OR-ed would be hashed whole before the first row.
        spoken, addressed = (link.filter(statement=OuterRef("pk")).values("pk") for link in self.named(word))
        condition = Q(Exists(spoken.union(addressed, all=True))) | search.condition([word], on_postgresql)
        for identified in self.identified(word):
            condition |= Q(pk__in=identified)
        return condition

    def check(self, **kwargs):
        # Django refuses to edit a many-to-many with its own through model (admin.E013), since such
        # a model may need extra fields. Ours carry none: they exist so actors and topics are
        # PROTECTed, and `.set()` fills them as it would Django's own.
        return [
            error
            for error in super().check(**kwargs)
            if not (error.id == "admin.E013" and any(f"'{name}'" in error.msg for name in self.autocomplete_fields))
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs.setdefault(
                "widget", AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            )
            return db_field.formfield(**kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.can_publish = request.user.has_perm(PUBLISH_PERMISSION)
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Statements leave the public record by retraction; a bulk hard delete is one click from an accident.
        actions.pop("delete_selected", None)
        return actions

    def has_publish_permission(self, request):
        return services.may_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        # A published or retracted statement stays on the record (it is retracted, never deleted).
        if obj is not None and obj.status in services.PUBLIC:
            return False
        return super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The forms check the workflow's rules first; a refusal here means the statement changed in between.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (services.WorkflowError, PermissionDenied) as error:
            # A bare PermissionDenied (no change permission at all) stays a 403.
            if request.method != "POST" or not str(error):
                raise
            self.message_user(request, f"Nothing was saved: {' '.join(workflow_messages(error))}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """Nothing here: the statement is written with its parts in save_related, by statements.services."""

    def save_related(self, request, form, formsets, change):
        parts = {name: list(form.cleaned_data[name]) for name in ("speakers", "recipients", "topics")}
        for formset in formsets:
            kept = [
                inline.cleaned_data
                for inline in formset.forms
                if inline.cleaned_data and not formset._should_delete_form(inline)
            ]
            if formset.model is Citation:
                parts["citations"] = [services.CitationSpec(row["source"], row["attribution"]) for row in kept]
            elif formset.model is StanceTag:
                parts["tags"] = [
                    services.TagSpec(
                        row["category"],
                        row.get("target_actor"),
                        row.get("target_topic"),
                        row["polarity"],
                        row["intensity"],
                    )
                    for row in kept
                ]
            elif formset.model is StatementIdentifier:
                parts["identifiers"] = [(row["scheme"], row["value"]) for row in kept]
            # The admin's change message reads what the formsets saved; the history holds the details.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        fields = {name: form.cleaned_data[name] for name in services.FIELDS if name in form.cleaned_data}
        if change:
            # What the public sees changes only by a reviewer's hand: a curator's edit of it waits as a revision.
            _, request.proposed_revision = services.edit_statement(
                form.instance,
                user=request.user,
                version=form.cleaned_data.get("seen_version"),
                reason=form.cleaned_data.get("change_reason", ""),
                **parts,
                **fields,
            )
        else:
            reason = form.cleaned_data.get("change_reason", "")
            services.create_statement(statement=form.instance, user=request.user, reason=reason, **parts)

    def delete_model(self, request, obj):
        services.delete_statement(obj, user=request.user)

    def response_change(self, request, obj):
        revision = getattr(request, "proposed_revision", None)
        if revision is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            f"Your changes to this {obj.get_status_display().lower()} statement wait for a reviewer "
            f"(revision {revision.pk}); the public sees it as it was until they are approved.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:statements_statement_change", args=[obj.pk]))

    @admin.display(description="proposed revisions")
    def pending_revisions(self, statement):
        if statement.pk is None:
            return "—"
        pending = statement.revisions.filter(status=RevisionStatus.PROPOSED)
        links = [
            (
                reverse("admin:statements_revision_change", args=[revision.pk]),
                f"revision {revision.pk}",
                revision.proposed_by,
            )
            for revision in pending.select_related("proposed_by")
        ]
        return format_html_join(", ", '<a href="{}">{}</a> by {}', links) or "—"

    def import_statuses(self, request):
        """The statuses an import may give: published only for those who may publish; or each line's own."""
        statuses = [Status.DRAFT, Status.IN_REVIEW]
        if self.has_publish_permission(request):
            statuses.append(Status.PUBLISHED)
        return [(status.value, status.label) for status in statuses] + [("file", "As the file's status column says")]

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.fields["status"].choices = self.import_statuses(request)
        return form

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.fields["status"].choices = self.import_statuses(request)
        return form

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["status"] = import_form.cleaned_data["status"]
        return initial

    def get_import_data_kwargs(self, **kwargs):
        status = kwargs["form"].cleaned_data["status"]
        return {**super().get_import_data_kwargs(**kwargs), "status": status}

    def revert_disabled(self, request, obj=None):
        # django-simple-history's revert restores the statement's own fields only and winds its version
        # back: statements are reverted from their timeline instead (revert_view), forward, parts included.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Statements are reverted from their history page, with their tags and citations.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        """The statement's timeline: one entry per save, its tags, citations and identifiers included."""
        statement = self.get_object(request, object_id)
        if statement is None or not self.has_view_or_change_permission(request, statement):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History: {statement}",
            "statement": statement,
            "entries": timeline(statement),
            "can_revert": self.has_change_permission(request, statement),
            "may_publish": services.may_publish(request.user),
        }
        return TemplateResponse(request, "statements/history.html", context)

    def revert_view(self, request, object_id, history_id):
        statement = self.get_object(request, object_id)
        if request.method != "POST" or statement is None or not self.has_change_permission(request, statement):
            raise PermissionDenied
        version = request.POST.get("version")
        try:
            _, revision = services.revert_statement(
                statement, user=request.user, history_id=history_id, version=int(version) if version else None
            )
        except (services.WorkflowError, ValidationError) as error:
            self.message_user(request, f"Nothing was reverted: {' '.join(workflow_messages(error))}", messages.ERROR)
        else:
            if revision is not None:
                done = f"The revert waits for a reviewer (revision {revision.pk})."
            else:
                done = "Reverted: the earlier version is the statement's content again."
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:statements_statement_history", args=[statement.pk]))

    @admin.display(description="date", ordering="date")
    def when(self, statement):
        # A month-precision date is stored as the 1st; showing "Dec. 1, 2025" would claim a day.
        if statement.date_precision == DatePrecision.MONTH:
            return date_format(statement.date, "F Y")
        if statement.date_precision == DatePrecision.YEAR:
            return date_format(statement.date, "Y")
        return date_format(statement.date)

    @admin.display(description="speakers")
    def speaker_names(self, statement):
        return ", ".join(actor.name for actor in statement.speakers.all())

    @admin.display(description="recipients")
    def recipient_names(self, statement):
        return ", ".join(actor.name for actor in statement.recipients.all())

    @admin.display(description="summary", ordering="summary")
    def short_summary(self, statement):
        # Two lines at most (admin.css); the whole text on hover.
        text = statement.summary or statement.text
        return format_html('<div class="clamp" title="{}">{}</div>', text, Truncator(text).chars(160))

    @admin.display(description="stance tags")
    def tag_codes(self, statement):
        """Each tag as its act, polarity sign and target ("K1− China"), one per line; hovering gives the words."""
        signs = {"favor": "+", "against": "−", "neutral": "", "unclear": "?"}
        tags = list(statement.stance_tags.all())
        lines = [
            (str(tag), f"{tag.category.code}{signs.get(tag.polarity, '')}", f" {tag.target}" if tag.target else "")
            for tag in tags
        ]
        return format_html_join("", '<div class="tag" title="{}">{}{}</div>', lines) or "—"

    @admin.display(description="speakers' roles on this date")
    def speaker_roles(self, statement):
        # Filled in as speakers and date are chosen (statement_form.js asks roles_view); this is the saved state.
        url = reverse("admin:statements_statement_roles")
        if statement.pk is None:
            return format_html(
                '<div class="speaker-roles" data-url="{}">{}</div>', url, "Choose the speakers and the date."
            )
        speakers = list(Actor.objects.filter(statements_spoken=statement))
        return format_html(
            '<div class="speaker-roles" data-url="{}">{}</div>', url, roles_html(speakers, statement.date)
        )

    def get_urls(self):
        roles = path("roles/", self.admin_site.admin_view(self.roles_view), name="statements_statement_roles")
        revert = path(
            "<path:object_id>/history/<int:history_id>/revert/",
            self.admin_site.admin_view(self.revert_view),
            name="statements_statement_revert",
        )
        adjudicate = path(
            "<path:object_id>/adjudicate/",
            self.admin_site.admin_view(functools.partial(annotation_admin.adjudicate_view, self)),
            name="statements_statement_adjudicate",
        )
        agreement = path(
            "agreement/",
            self.admin_site.admin_view(functools.partial(annotation_admin.agreement_view, self)),
            name="statements_statement_agreement",
        )
        return [roles, agreement, revert, adjudicate, *super().get_urls()]

    def roles_view(self, request):
        """The speakers' roles on a date, as the form shows them: ?speaker=<id>&speaker=<id>&date=YYYY-MM-DD."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            date = datetime.date.fromisoformat(request.GET.get("date", ""))
            ids = [int(value) for value in request.GET.getlist("speaker")][:50]
        except ValueError:
            return JsonResponse({"html": "Choose the speakers and a date (YYYY-MM-DD)."})
        speakers = sorted(Actor.objects.filter(pk__in=ids), key=lambda actor: ids.index(actor.pk))
        return JsonResponse({"html": roles_html(speakers, date) if speakers else "Choose the speakers."})

    @admin.action(description="Send selected drafts to review", permissions=["change"])
    def send_to_review(self, request, queryset):
        moved = 0
        for statement in queryset.filter(status=Status.DRAFT):
            services.send_to_review(statement, user=request.user)
            moved += 1
        self.message_user(request, f"{moved} statement(s) sent to review.", messages.SUCCESS)

    @admin.action(description="Publish selected statements (those with a citation)", permissions=["publish"])
    def publish(self, request, queryset):
        published, refused = 0, []
        for statement in queryset.filter(status__in=[Status.DRAFT, Status.IN_REVIEW]):
            try:
                services.publish(statement, user=request.user)
            except services.WorkflowError as error:
                refused.append(f"{statement}: {' '.join(workflow_messages(error))}")
                continue
            published += 1
        self.message_user(request, f"{published} statement(s) published.", messages.SUCCESS)
        if refused:
            self.message_user(
                request, f"{len(refused)} statement(s) left unpublished: {'; '.join(refused[:5])}", messages.WARNING
            )


class TopicAliasInline(admin.TabularInline):
    model = TopicAlias
    fields = ["name", "language"]
    extra = 0


@admin.register(Topic)
class TopicAdmin(SubquerySearchMixin, SimpleHistoryAdmin):
    list_display = ["name", "slug", "occurred_on", "alias_names"]
    list_filter = [("occurred_on", admin.EmptyFieldListFilter)]
    list_select_related = False
    search_fields = ["name", "slug", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "occurred_on"]
    inlines = [TopicAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def alias_names(self, topic):
        return ", ".join(alias.name for alias in topic.aliases.all())


@admin.register(Source)
class SourceAdmin(CappedCountMixin, SimpleHistoryAdmin):
    list_display = ["publisher", "title", "published_on", "citation_count", "url"]
    # No publisher filter or date_hierarchy: both list the distinct values of every source.
    list_filter = [("published_on", admin.DateFieldListFilter)]
    list_select_related = False
    search_fields = ["url", "title", "publisher"]
    # The latest recorded first, read backwards from the primary key rather than sorting every source.
    ordering = ["-id"]
    # A URL typed without a scheme is taken as https, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        # Counted per listed source (a subquery), not grouped over every source before the page is cut.
        citations = Citation.objects.filter(source=OuterRef("pk")).order_by().values("source")
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=Subquery(citations.annotate(n=Count("pk")).values("n")))
        )

    @admin.display(description="citations")
    def citation_count(self, source):
        return source.citation_count or 0


class StanceCategoryInline(admin.TabularInline):
    """The taxonomy's categories, read here; each is edited (and new acts added) on its own page."""

    model = StanceCategory
    fields = ["code", "label", "parent", "cameo", "plover", "quad"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


@admin.register(Taxonomy)
class TaxonomyAdmin(SimpleHistoryAdmin):
    form = TaxonomyForm
    list_display = ["name", "version", "is_default", "category_count"]
    list_select_related = False
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name", "version"]}
    inlines = [StanceCategoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(category_count=Count("categories"))

    @admin.display(description="categories", ordering="category_count")
    def category_count(self, taxonomy):
        return taxonomy.category_count


@admin.register(StanceCategory)
class StanceCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "parent", "cameo", "plover", "quad", "taxonomy"]
    list_display_links = ["code", "label"]
    list_filter = ["taxonomy", "quad", "plover"]
    list_select_related = ["parent", "taxonomy"]
    search_fields = ["code", "label"]
    autocomplete_fields = ["parent"]
    fields = ["taxonomy", "code", "label", "description", "parent", "cameo", "plover", "plover_mode", "quad"]


@admin.register(StanceTag)
class StanceTagAdmin(AutocompleteLabelsMixin, CappedCountMixin, WordSearchMixin, SimpleHistoryAdmin):
    """Every tag across statements, to read and compare; tags are made on the statement's page."""

    form = StanceTagAdminForm

    class Media:
        js = ["statements/codebook.js"]

    list_display = ["statement", "category", "target_name", "polarity", "intensity", "curator", "created_at"]
    # Curators are few: list them all rather than the distinct curators of millions of tags.
    list_filter = ["category", "polarity", "intensity", ("curator", admin.RelatedFieldListFilter)]
    list_select_related = ["statement", "category", "target_actor", "target_topic", "curator"]
    # The newest judgements first, read backwards from the primary key; the model's ordering would
    # sort millions of tags by statement and category code.
    ordering = ["-id"]
    search_fields = ["category__code", "target_actor__name", "target_topic__name", "statement__text"]
    search_help_text = (
        "Each word must be a category code (a family takes in its acts), a target's name or alias, "
        "or in the statement's text or summary."
    )
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ["statement", "target_actor", "target_topic"]
    fields = ["statement", "category", "target_actor", "target_topic", "polarity", "intensity", "curator", "created_at"]
    readonly_fields = ["curator", "created_at"]

    def matches(self, word, on_postgresql):
        """(column, what it must be in) for each way a tag matches `word`; names and codes resolve first."""
        categories = StanceCategory.objects.default_taxonomy().filter(code__iexact=word)
        return [
            ("category", StanceCategory.objects.with_descendants(categories)),
            ("target_actor", set(Actor.objects.search(word).values_list("pk", flat=True))),
            ("target_topic", set(Topic.objects.search(word).values_list("pk", flat=True))),
            ("statement", search.matching(Statement.objects.order_by(), [word], on_postgresql).values("pk")),
        ]

    def word_ids(self, word, *, on_postgresql):
        tags = StanceTag.objects.order_by()
        first, *others = (
            tags.filter(**{f"{column}__in": values}).values_list("pk", flat=True)
            for column, values in self.matches(word, on_postgresql)
            # A part that names nothing is left out of the union (statement matches are a subquery).
            if not isinstance(values, set) or values
        )
        return first.union(*others, all=True) if others else first

    def word_condition(self, word, *, on_postgresql):
        conditions = [Q(**{f"{column}__in": values}) for column, values in self.matches(word, on_postgresql)]
        return functools.reduce(operator.or_, conditions)

    def get_readonly_fields(self, request, obj=None):
        # A tag belongs to one statement; moving it would be a new judgement.
        return [*self.readonly_fields, "statement"] if obj is not None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.statement.status in services.PUBLIC and not services.may_publish(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.statement.status in services.PUBLIC and not services.may_publish(request.user):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.save_tag(obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_tags(StanceTag.objects.filter(pk=obj.pk), user=request.user)

    def delete_queryset(self, request, queryset):
        services.delete_tags(queryset, user=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        return self.refusing(super().delete_view, request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self.refusing(super().changelist_view, request, extra_context)

    def refusing(self, view, request, *args):
        """The view, or, when the workflow refuses what it was asked (a bulk delete), the list with the reason."""
        try:
            return view(request, *args)
        except PermissionDenied as error:
            if request.method != "POST" or not str(error):
                raise
            self.message_user(request, f"Nothing was deleted: {error}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="target")
    def target_name(self, tag):
        return tag.target or "—"


# People: a superuser adds a curator or a reviewer in one step.

ROLES = [
    ("curator", "Curator: records and tags statements, sends them to review"),
    ("reviewer", "Reviewer: a curator who also publishes and retracts"),
    ("", "Neither: set staff status and groups by hand"),
]


class PersonCreationForm(AdminUserCreationForm):
    role = forms.ChoiceField(choices=ROLES, initial="curator", required=False, widget=forms.RadioSelect)


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    add_form = PersonCreationForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": (*UserAdmin.add_fieldsets[0][1]["fields"], "role")}),)

    def save_model(self, request, obj, form, change):
        role = form.cleaned_data.get("role") if not change else ""
        if role:
            obj.is_staff = True
        super().save_model(request, obj, form, change)
        if role:
            names = [services.CURATORS, services.REVIEWERS] if role == "reviewer" else [services.CURATORS]
            obj.groups.set(Group.objects.filter(name__in=names))


# Reviewed edits


class RevisionForm(forms.ModelForm):
    """The reviewer's decision on a proposed revision, with a word to the curator."""

    decision = forms.ChoiceField(
        choices=[("", "Decide later"), ("approve", "Approve: publish these changes"), ("reject", "Reject")],
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Revision
        fields = ["comment"]


@admin.register(Revision)
class RevisionAdmin(SimpleHistoryAdmin):
    """Curators' edits of published statements, each read as a field-by-field difference and decided by a reviewer."""

    form = RevisionForm
    list_display = ["statement", "proposed_by", "proposed_at", "status", "reviewed_by"]
    list_filter = ["status"]
    list_select_related = ["statement", "proposed_by", "reviewed_by"]
    ordering = ["-id"]
    show_facets = admin.ShowFacets.NEVER
    fields = [
        "statement_link",
        "differences",
        "reason",
        "proposed_by",
        "proposed_at",
        "base_version",
        "status",
        "reviewed_by",
        "reviewed_at",
        "comment",
        "decision",
    ]
    readonly_fields = [
        "statement_link",
        "differences",
        "reason",
        "proposed_by",
        "proposed_at",
        "base_version",
        "status",
        "reviewed_by",
        "reviewed_at",
    ]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # made by saving a published statement

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != RevisionStatus.PROPOSED:
            return False
        return services.may_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # rejected, never deleted: the record of what was proposed stays

    def has_publish_permission(self, request):
        return services.may_publish(request.user)

    def get_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return self.fields
        return [name for name in self.fields if name != "decision"]

    @admin.display(description="statement")
    def statement_link(self, revision):
        url = reverse("admin:statements_statement_change", args=[revision.statement_id])
        return format_html('<a href="{}">{}</a> (now version {})', url, revision.statement, revision.statement.version)

    @admin.display(description="what changes")
    def differences(self, revision):
        rows = services.revision_differences(revision)
        if not rows:
            return "Nothing differs from the statement as it stands."
        body = format_html_join(
            "", '<tr><th scope="row">{}</th><td class="before">{}</td><td class="after">{}</td></tr>', rows
        )
        return format_html(
            '<table class="revision-diff"><thead><tr><th></th><th>As published</th><th>As proposed</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            body,
        )

    def save_model(self, request, obj, form, change):
        decision, comment = form.cleaned_data.get("decision"), form.cleaned_data.get("comment", "")
        if decision == "approve":
            services.approve_revision(obj, user=request.user, comment=comment)
        elif decision == "reject":
            services.reject_revision(obj, user=request.user, comment=comment)
        else:
            super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.WorkflowError as error:
            self.message_user(request, f"Nothing was decided: {' '.join(workflow_messages(error))}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description="Approve the selected revisions", permissions=["publish"])
    def approve(self, request, queryset):
        self.decide(request, queryset, services.approve_revision, "approved")

    @admin.action(description="Reject the selected revisions", permissions=["publish"])
    def reject(self, request, queryset):
        self.decide(request, queryset, services.reject_revision, "rejected")

    def decide(self, request, queryset, decide, done):
        count, refused = 0, []
        for revision in queryset.filter(status=RevisionStatus.PROPOSED).order_by("pk"):
            try:
                decide(revision, user=request.user)
            except services.WorkflowError as error:
                refused.append(f"revision {revision.pk}: {' '.join(workflow_messages(error))}")
                continue
            count += 1
        self.message_user(request, f"{count} revision(s) {done}.", messages.SUCCESS)
        if refused:
            self.message_user(request, "; ".join(refused[:5]), messages.WARNING)
