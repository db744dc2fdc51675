"""What `q` matches in a statement's text and summary, and how well.

On PostgreSQL, words are matched through the stored `search_document` (migration 0004: English
stems, no stop words, the summary weighted above the text) with web-search syntax, `"grave
concern" -russia`, and ranked by `ts_rank`. A query holding characters of a script written
without spaces (Japanese, Chinese, Korean, Thai, …) is matched instead as substrings, each
space-separated part anywhere in the text or summary, ignoring case, through a trigram index over
the statements that hold such characters. Elsewhere (SQLite) `q` is a case-insensitive substring.
"""

import functools
import operator
import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorExact, SearchVectorField
from django.db import models
from django.db.models import Func, Q, Value
from django.db.models.expressions import Col, Expression
from django.db.models.functions import Cast

SEARCH_CONFIG = "statement_search"
# Character ranges of the scripts the PostgreSQL parser does not split into words; the same class
# is the predicate of the partial trigram index, so keep it textually equal to migration 0004.
NO_SPACE_SCRIPT_RANGES = (
    r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
)
NO_SPACE_SCRIPT = re.compile(f"[{NO_SPACE_SCRIPT_RANGES.encode().decode('unicode_escape')}]")


class SearchDocument(Expression):
    """The statement's stored tsvector, a column the database keeps and the model does not declare.

    Resolved to a column of the query's own statement table, so it stays correct when the query
    becomes a subquery and its tables are renamed.
    """

    output_field = SearchVectorField()

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        column = SearchVectorField()
        column.set_attributes_from_name("search_document")
        return Col(query.get_initial_alias(), column, output_field=self.output_field)


class SearchedText(Func):
    """The text and summary as one string, exactly as the trigram index spells it."""

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = models.TextField()

    def __init__(self):
        super().__init__("text", "summary")


class ContainsIgnoringCase(Func):
    """`expression ILIKE '%part%'`: the form a trigram index serves (Django's icontains wraps both sides in UPPER)."""

    template = "%(expressions)s ILIKE %(pattern)s"
    output_field = models.BooleanField()
    conditional = True

    def __init__(self, expression, part):
        super().__init__(expression)
        self.part = part

    def as_sql(self, compiler, connection, **extra_context):
        pattern, params = compiler.compile(Value(f"%{connection.ops.prep_for_like_query(self.part)}%"))
        sql, expression_params = super().as_sql(compiler, connection, pattern=pattern, **extra_context)
        return sql, (*expression_params, *params)


class HoldsNoSpaceScript(Func):
    """The partial trigram index's predicate, written as the index writes it so the planner can use the index."""

    template = f"%(expressions)s ~ '[{NO_SPACE_SCRIPT_RANGES}]'"
    output_field = models.BooleanField()
    conditional = True


def is_substring_query(text):
    """Whether a part the statement must contain is written in a script without spaces between words."""
    return any(NO_SPACE_SCRIPT.search(part) for part in parts(text) if not part.startswith("-"))


def parts(text):
    """The parts of a substring query: "quoted phrases" whole, other words split on spaces; -part excludes."""
    found = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        part = phrase if phrase else word
        if part.strip('"-'):
            found.append(part)
    return found


def substring_condition(text, on_postgresql):
    """Every part of `text` appears in the text or summary, ignoring case, and no -part does."""
    conditions = [Q(HoldsNoSpaceScript(SearchedText()))] if on_postgresql else []
    for part in parts(text):
        excluded = part.startswith("-") and len(part) > 1
        part = part[1:] if excluded else part
        if on_postgresql:
            condition = Q(ContainsIgnoringCase(SearchedText(), part))
        else:
            condition = Q(text__icontains=part) | Q(summary__icontains=part)
        conditions.append(~condition if excluded else condition)
    return functools.reduce(operator.and_, conditions, Q())


def word_query(texts):
    """One tsquery for the web-search `texts`, any of which may match."""
    queries = [SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG) for text in texts]
    return functools.reduce(operator.or_, queries)


def condition(texts, on_postgresql):
    """The Q of the statements that match any of `texts` (None when no text says anything)."""
    texts = [text for text in texts if parts(text)]
    if not texts:
        return None
    word_texts = [text for text in texts if on_postgresql and not is_substring_query(text)]
    conditions = [substring_condition(text, on_postgresql) for text in texts if text not in word_texts]
    if word_texts:
        conditions.append(Q(SearchVectorExact(SearchDocument(), word_query(word_texts))))
    return functools.reduce(operator.or_, conditions)


def matching(queryset, texts, on_postgresql):
    """`queryset` narrowed to the statements that match any of `texts`."""
    matches = condition(texts, on_postgresql)
    return queryset if matches is None else queryset.filter(matches)


def rank(texts, on_postgresql):
    """How well a statement matches the word queries among `texts` (substring matches rank 0), or None."""
    word_texts = [text for text in texts if on_postgresql and parts(text) and not is_substring_query(text)]
    if not word_texts:
        return None
    # As double precision: ts_rank's real, read into a Python float and sent back in a cursor, would
    # no longer equal itself, and keyset paging would skip or repeat rows.
    return Cast(SearchRank(SearchDocument(), word_query(word_texts)), output_field=models.FloatField())
