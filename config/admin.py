"""Admin building blocks every app's workbench shares: counts that stay cheap, searches without DISTINCT, icons."""

from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal

from config.db import AnyOf


class CappedCountPaginator(Paginator):
    """Counts at most `cap` rows: beyond that the admin says "more than 2,000" instead of counting a million.

    Counting every match of a filter or search over millions of rows costs as much as reading them;
    the first 2,000 are found from the same index the page is read from (a search for China
    probes 15,000 statements to count them, 70,000 for 10,000), and a curator narrows the list
    long before page 20.
    """

    cap = 2_000

    @cached_property
    def counted(self):
        # One row past the cap tells "exactly 10,000" from "more".
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self.counted, self.cap)

    @cached_property
    def capped(self):
        return self.counted > self.cap


class CappedCountMixin:
    """A changelist that counts with CappedCountPaginator and never counts the unfiltered table on top."""

    paginator = CappedCountPaginator
    show_full_result_count = False


class WordSearchMixin:
    """A search answered from indexes, word by word: every word must match somewhere, as in Django's own search.

    Django's search ORs `icontains` over every search field, joined through every relation: at a
    million rows no index serves it. Here a word (or "quoted phrase") can match rows in two ways,
    and which is fast depends on how many rows match:

    - `word_ids(word)`: the ids of the matching rows, a union of index lookups: fast when few
      match, slow when 150,000 do (they must all be collected and sorted before the first page);
    - `word_condition(word)`: a condition checked on each row as the list reads rows in its
      order: fast when many match (it stops at the first page), slow when few do.

    So the word with the fewest matches, fetched up to `driving_limit` ids, drives the search by
    those ids (the planner sees exactly which), and the others are checked row by row; when every
    word matches more than that, all are checked row by row.
    """

    max_search_words = 10
    driving_limit = 20_000

    def get_search_results(self, request, queryset, search_term):
        words = []
        for word in smart_split(search_term):
            if word[:1] in "\"'" and len(word) > 1 and word[0] == word[-1]:
                word = unescape_string_literal(word)
            if word.strip():
                words.append(word.strip())
        if not words:
            return queryset, False
        if len(words) > self.max_search_words:
            messages.warning(request, f"Only the first {self.max_search_words} words were searched.")
            words = words[: self.max_search_words]
        on_postgresql = connections[queryset.db].vendor == "postgresql"
        found = [list(self.word_ids(word, on_postgresql=on_postgresql)[: self.driving_limit]) for word in words]
        driver = min(range(len(words)), key=lambda index: len(found[index]))
        for index, word in enumerate(words):
            if index == driver and len(found[index]) < self.driving_limit:
                queryset = queryset.filter(AnyOf("pk", found[index]))
            else:
                queryset = queryset.filter(self.word_condition(word, on_postgresql=on_postgresql))
        return queryset, False

    def word_ids(self, word, *, on_postgresql):
        """A flat values_list() queryset of the ids of the rows that match `word` (a union of index lookups)."""
        raise NotImplementedError

    def word_condition(self, word, *, on_postgresql):
        """The Q a row must satisfy to match `word`, checked row by row."""
        raise NotImplementedError


class SubquerySearchMixin:
    """Search through to-many relations (aliases, identifiers) without DISTINCT over the page query.

    Django's admin de-duplicates such a search with SELECT DISTINCT over every column of the page;
    here the joins stay inside `pk IN (subquery)`, so the page query keeps no join and no DISTINCT.
    """

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not may_have_duplicates:
            return results, False
        matches, _ = super().get_search_results(request, self.model._default_manager.all(), search_term)
        return queryset.filter(pk__in=matches.values("pk")), False


class RelatedIconsMixin:
    """Which related-object icons (add, change, delete, view) each foreign key of the form offers.

    Adding a missing actor, source or topic from a form is common; deleting the actor a field points
    at (Japan, from Koizumi's page), or editing the taxonomy from a tag row, is not.
    """

    related_icons = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.related_icons and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            offered = self.related_icons[db_field.name]
            for icon in ["add", "change", "delete", "view"]:
                if icon not in offered:
                    setattr(formfield.widget, f"can_{icon}_related", False)
        return formfield


class Site(admin.AdminSite):
    """The project's admin site (django.contrib.admin's default site, through config.apps.AdminConfig).

    Its autocompletes label each result as the model's admin says (`autocomplete_label`): an actor
    shows its kind and country beside its name, so "Japan" the state and "Government of Japan" the
    body are told apart before one is chosen.
    """

    # The statement page needs the width (tags with every field in view at 1280 px); the index and the
    # breadcrumbs lead everywhere the sidebar did.
    enable_nav_sidebar = False

    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


class AutocompleteLabelsMixin:
    """Form fields pointing at a model whose admin has `autocomplete_label` show options with that label too
    (the choice a page shows when it opens, not only the results of a search)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        related_admin = self.admin_site._registry.get(getattr(db_field, "related_model", None))
        label = getattr(related_admin, "autocomplete_label", None)
        if label is not None and formfield is not None and hasattr(formfield, "label_from_instance"):
            formfield.label_from_instance = label
            related = getattr(related_admin, "autocomplete_select_related", ())
            if related:
                formfield.queryset = formfield.queryset.select_related(*related)
        return formfield
