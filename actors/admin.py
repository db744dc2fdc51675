"""The curators' workbench for actors: names in every script, identifiers, and roles over time."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, Q, When
from django.template.response import TemplateResponse
from django.urls import reverse

from simple_history.admin import SimpleHistoryAdmin

from actors.forms import PersonRoleFormSet
from actors.models import Actor, ActorFormerSlug, ActorIdentifier, ActorKind, ActorName, Role
from actors.resources import ActorResource
from actors.services import merge_actors
from config.admin import AutocompleteLabelsMixin, CappedCountMixin, RelatedIconsMixin, SubquerySearchMixin
from config.admin_files import FileImportExportMixin
from config.models import fold


class ActorFormerSlugInline(admin.TabularInline):
    """Slugs of actors merged into this one: the API still resolves them to it."""

    model = ActorFormerSlug
    fields = ["slug", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "former slugs (actors merged into this one)"

    def has_add_permission(self, request, obj=None):
        return False


class ActorNameInline(admin.TabularInline):
    model = ActorName
    fields = ["name", "language"]
    extra = 0
    verbose_name = "name or alias"
    verbose_name_plural = "names and aliases (any language or script)"


class ActorIdentifierInline(admin.TabularInline):
    model = ActorIdentifier
    fields = ["scheme", "value"]
    extra = 0


class RoleInline(AutocompleteLabelsMixin, RelatedIconsMixin, admin.TabularInline):
    model = Role
    fk_name = "person"
    formset = PersonRoleFormSet
    fields = ["title", "organization", "start_date", "end_date"]
    autocomplete_fields = ["organization"]
    related_icons = {"organization": {"add", "change", "view"}}
    extra = 0
    verbose_name_plural = "roles held (for a person)"

    def get_queryset(self, request):
        # Each row prints the role, which names its person and organization.
        return super().get_queryset(request).select_related("person", "organization")


class PostInline(AutocompleteLabelsMixin, admin.TabularInline):
    """Who held a post in this organization, and when: read here, edited on the person's page."""

    model = Role
    fk_name = "organization"
    fields = ["person", "title", "start_date", "end_date"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0
    verbose_name_plural = "posts in this organization"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "organization")


@admin.register(Actor)
class ActorAdmin(
    AutocompleteLabelsMixin,
    FileImportExportMixin,
    CappedCountMixin,
    RelatedIconsMixin,
    SubquerySearchMixin,
    SimpleHistoryAdmin,
):
    list_display = ["name", "kind", "country", "parent"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country", "parent"]
    search_fields = ["name", "slug", "names__name", "identifiers__value"]
    search_help_text = "Any name or alias, in any language or script; a slug; an identifier (Q-number, ISO code)."
    autocomplete_fields = ["country", "parent"]
    related_icons = {"country": {"add", "change", "view"}, "parent": {"add", "change", "view"}}
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "kind", "country", "parent", "description", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ActorNameInline, ActorIdentifierInline, RoleInline]
    resource_classes = [ActorResource]

    actions = ["merge"]

    # What an autocomplete result says beside the name, and what it reads for that.
    autocomplete_select_related = ["country"]

    @staticmethod
    def autocomplete_label(actor):
        """ "Japan · state", "Government of Japan · government body, Japan": which Japan is which."""
        where = f", {actor.country.name}" if actor.country_id and actor.country_id != actor.pk else ""
        return f"{actor.name} · {actor.get_kind_display().lower()}{where}"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if request.path != reverse("admin:autocomplete") or not folded:
            return results, may_have_duplicates
        # An exact name or alias first ("Japan" the state, "小泉" … once typed whole), then names that
        # begin with the words, then the rest; alphabetical within each.
        names = ActorName.objects.filter(actor=OuterRef("pk"))
        rank = Case(
            When(Q(name_folded=folded) | Q(slug=search_term.strip()) | Exists(names.filter(folded=folded)), then=0),
            When(Q(name_folded__startswith=folded) | Exists(names.filter(folded__startswith=folded)), then=1),
            default=2,
        )
        ranked = results.select_related("country").annotate(match_rank=rank).order_by("match_rank", "name", "pk")
        return ranked, may_have_duplicates

    def has_merge_permission(self, request):
        # A merge rewrites statements and deletes an actor: reviewers (who may publish) and administrators make it.
        return request.user.has_perm("statements.publish_statement") or request.user.is_superuser

    @admin.action(description="Merge the two selected actors (one actor recorded twice)", permissions=["merge"])
    def merge(self, request, queryset):
        actors = list(queryset.select_related("country").order_by("pk")[:3])
        if len(actors) != 2:
            self.message_user(request, "Select exactly two actors to merge.", messages.WARNING)
            return None
        keep_id = request.POST.get("keep")
        if keep_id is None:
            from statements.models import StanceTag, StatementSpeaker

            rows = [
                (
                    actor,
                    StatementSpeaker.objects.filter(actor=actor).count(),
                    StanceTag.objects.filter(target_actor=actor).count(),
                )
                for actor in actors
            ]
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "rows": rows,
                "title": "Merge actors",
            }
            return TemplateResponse(request, "admin/actors/actor/merge.html", context)
        keep = next((actor for actor in actors if str(actor.pk) == keep_id), None)
        if keep is None:
            self.message_user(request, "Choose one of the two actors to keep.", messages.ERROR)
            return None
        merged = actors[1] if keep is actors[0] else actors[0]
        try:
            changed = merge_actors(keep=keep, merged=merged, user=request.user)
        except ValidationError as error:
            self.message_user(request, f"Nothing was merged: {' '.join(error.messages)}", messages.ERROR)
            return None
        self.message_user(
            request,
            f"{merged.name} ({merged.slug}) merged into {keep.name}: {changed} statement(s) changed.",
            messages.SUCCESS,
        )
        return None

    def get_inlines(self, request, obj):
        # A person holds roles; an organization shows the posts held in it, edited on each person's page.
        inlines = [ActorNameInline, ActorIdentifierInline]
        inlines.append(PostInline if obj is not None and obj.kind != ActorKind.PERSON else RoleInline)
        if obj is not None and obj.former_slugs.exists():
            inlines.append(ActorFormerSlugInline)
        return inlines


class HeldFilter(admin.SimpleListFilter):
    """Roles held today (ends are inclusive, as in `Role.objects.on`), or ended."""

    title = "held"
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [("now", "Held today"), ("ended", "Ended")]

    def queryset(self, request, queryset):
        today = datetime.date.today()
        if self.value() == "now":
            return queryset.on(today)
        if self.value() == "ended":
            return queryset.filter(end_date__lt=today)
        return queryset


@admin.register(Role)
class RoleAdmin(AutocompleteLabelsMixin, CappedCountMixin, RelatedIconsMixin, SubquerySearchMixin, SimpleHistoryAdmin):
    list_display = ["person", "title", "organization", "start_date", "end_date"]
    list_filter = [HeldFilter, "title", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["person", "organization"]
    search_fields = ["person__name", "person__names__name", "title", "organization__name", "organization__names__name"]
    search_help_text = "Person or organization (any name or alias), or title."
    autocomplete_fields = ["person", "organization"]
    related_icons = {"person": {"add", "change", "view"}, "organization": {"add", "change", "view"}}
    fields = ["person", "title", "organization", "start_date", "end_date"]
