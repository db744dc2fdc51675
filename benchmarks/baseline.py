"""The raw-SQL limit: the anonymous statement list and detail, the statistics and the sync feed, as
hand-written SQL through psycopg.

A WSGI app with no Django in it, answering `/api/v1/statements/`, `/api/v1/statements/<id>/`,
`/api/v1/stats/stances/`, `/api/v1/stats/dyads/` and `/api/v1/statements/changes/` with byte for byte
the JSON the project serves to an anonymous client (published statements only), for the parameters the
benchmark uses: speaker, recipient, country, stance, polarity, target, date_after, date_before, q,
page_size and cursor; group_by (time, family, category, polarity, target: not speaker or country) and
count. It is the fastest plain way we found to give that answer, so that `make bench` can say how far
the project is from it.

The list and the detail:

- at most three round trips: the ids the filters name (actors, topics, the stance and country
  trees) in one query, so that the planner sees them; the page in one query (never prepared, so
  planned for those ids); what hangs off its rows, five prepared queries sent at once in a psycopg
  pipeline;
- tuples straight into dicts and orjson, the cursor links exactly as DRF's CursorPagination writes
  them (config/pagination.py);
- one connection per worker process, kept open, as Django keeps its own (CONN_MAX_AGE).

Measured slower on 100,000 statements, at 50 and at 500 rows a page: PostgreSQL building each
statement's JSON (correlated subqueries, or one grouped query per relation), slug lookups inside the
page's query, and unprepared queries for the related rows (their custom plans hash every actor).

The statistics: the ids in one query, then one GROUP BY over the matching statements joined to their
tags (stats/stances/; the total is the groups' sum when every tag falls in one group, else one count)
or to their speakers, recipients and tags (stats/dyads/). Tags counted by family or category are
grouped by category id and named afterwards from the category table, and time groupings are not
ordered in SQL (zero-filling orders them): measured at 1,000,000 statements, joining the categories
and their families to 2.4 million tags and sorting the rows by month and family took 1.5–2× as long as
hashing (month, category id) groups. The sync feed: its page of changes in one query, the statements
still published in one, and what hangs off them as for a page of the list.
"""

import base64
import datetime
import json
import os
import re
import urllib.parse

import psycopg

from config.handles import curator_handle

try:
    import orjson
except ImportError:  # the same bytes, a little slower
    orjson = None

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
DETAIL_PATH = re.compile(r"^/api/v1/statements/([0-9]{1,18})/$")
LIST_PATH = "/api/v1/statements/"
CHANGES_PATH = "/api/v1/statements/changes/"
STANCES_PATH = "/api/v1/stats/stances/"
DYADS_PATH = "/api/v1/stats/dyads/"


def default(value):
    # Only for the json fallback: orjson writes dates and datetimes itself, the same way.
    if isinstance(value, datetime.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value.isoformat()


def dumps(value):
    """Compact JSON as UTF-8 bytes, non-ASCII kept, datetimes in UTC with `Z`: as the project's renderer writes it."""
    if orjson is not None:
        return orjson.dumps(value, option=orjson.OPT_UTC_Z)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default).encode()


# The statement's own columns, in the order `documents` reads them.
STATEMENT_COLUMNS = (
    "s.id, s.date, s.date_precision, s.channel, s.text, s.is_direct_quote, s.language, s.summary, "
    "s.status, s.created_at, s.updated_at, s.version, s.uuid"
)

RANK = 13  # where a ranked page's rows carry their search rank, after STATEMENT_COLUMNS

DETAIL_SQL = f"SELECT {STATEMENT_COLUMNS} FROM statements_statement s WHERE s.id = %s AND s.status = 'published'"

# What hangs off a page of statements, one query each, all sent in one round trip (a psycopg pipeline),
# each sorted as the project sorts it, so that grouping by statement keeps that order.
SPEAKERS_SQL = """
SELECT sp.statement_id, a.slug, a.name, a.kind, held.title, o.slug, o.name
FROM unnest(%s::bigint[], %s::date[]) AS page(id, date)
JOIN statements_statementspeaker sp ON sp.statement_id = page.id
JOIN actors_actor a ON a.id = sp.actor_id
LEFT JOIN LATERAL (
    SELECT r.title, r.organization_id FROM actors_role r
    WHERE r.person_id = a.id AND r.start_date <= page.date AND (r.end_date IS NULL OR r.end_date >= page.date)
    ORDER BY r.start_date DESC, r.id DESC
    LIMIT 1
) held ON true
LEFT JOIN actors_actor o ON o.id = held.organization_id
ORDER BY a.name, a.id
"""
RECIPIENTS_SQL = """
SELECT sr.statement_id, a.slug, a.name, a.kind
FROM statements_statementrecipient sr JOIN actors_actor a ON a.id = sr.actor_id
WHERE sr.statement_id = ANY(%s::bigint[])
ORDER BY a.name, a.id
"""
TOPICS_SQL = """
SELECT stt.statement_id, t.slug
FROM statements_statementtopic stt JOIN statements_topic t ON t.id = stt.topic_id
WHERE stt.statement_id = ANY(%s::bigint[])
ORDER BY t.name, t.id
"""
SOURCES_SQL = """
SELECT c.statement_id, so.url, so.publisher, so.title, so.published_on, c.attribution
FROM statements_citation c JOIN statements_source so ON so.id = c.source_id
WHERE c.statement_id = ANY(%s::bigint[])
ORDER BY c.id
"""
IDENTIFIERS_SQL = """
SELECT si.statement_id, si.scheme, si.value
FROM statements_statementidentifier si
WHERE si.statement_id = ANY(%s::bigint[])
ORDER BY si.scheme, si.value
"""
# Anonymous clients see curators by an opaque handle keyed on the secret key, as the project computes it.
HANDLE_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-development-key-change-me")
TAGS_SQL = """
SELECT tg.statement_id, cat.code, ta.slug, tt.slug, tg.polarity, tg.intensity, tg.curator_id
FROM statements_stancetag tg
JOIN statements_stancecategory cat ON cat.id = tg.category_id
LEFT JOIN actors_actor ta ON ta.id = tg.target_actor_id
LEFT JOIN statements_topic tt ON tt.id = tg.target_topic_id
WHERE tg.statement_id = ANY(%s::bigint[])
ORDER BY cat.code, tg.id
"""


def documents(connection, rows):
    """The API's representation of each statement row (STATEMENT_COLUMNS), in the rows' order."""
    if not rows:
        return []
    ids = [row[0] for row in rows]
    with connection.pipeline():
        # Prepared: the generic plan (index lookups) beats the custom one (hashing every actor) at any page size.
        queries = [connection.execute(SPEAKERS_SQL, (ids, [row[1] for row in rows]), prepare=True)]
        queries += [
            connection.execute(sql, (ids,), prepare=True)
            for sql in (RECIPIENTS_SQL, TOPICS_SQL, SOURCES_SQL, TAGS_SQL, IDENTIFIERS_SQL)
        ]
    speakers, recipients, topics, sources, tags, identifiers = ({} for _ in range(6))
    for statement_id, slug, name, kind, title, organization, organization_name in queries[0].fetchall():
        role = (
            None
            if organization is None
            else {"title": title, "organization": organization, "organization_name": organization_name}
        )
        speakers.setdefault(statement_id, []).append({"slug": slug, "name": name, "kind": kind, "role": role})
    for statement_id, slug, name, kind in queries[1].fetchall():
        recipients.setdefault(statement_id, []).append({"slug": slug, "name": name, "kind": kind})
    for statement_id, slug in queries[2].fetchall():
        topics.setdefault(statement_id, []).append(slug)
    for statement_id, url, publisher, title, published_on, attribution in queries[3].fetchall():
        source = {"url": url, "publisher": publisher, "title": title, "published_on": published_on}
        source["attribution"] = attribution
        sources.setdefault(statement_id, []).append(source)
    for statement_id, category, target_actor, target_topic, polarity, intensity, curator in queries[4].fetchall():
        tags.setdefault(statement_id, []).append(
            {
                "category": category,
                "target_actor": target_actor,
                "target_topic": target_topic,
                "polarity": polarity,
                "intensity": intensity,
                "curator": curator_handle(curator, HANDLE_KEY),
            }
        )
    for statement_id, scheme, value in queries[5].fetchall():
        identifiers.setdefault(statement_id, []).append({"scheme": scheme, "value": value})
    return [
        {
            "id": row[0],
            "speakers": speakers.get(row[0], []),
            "recipients": recipients.get(row[0], []),
            "date": row[1],
            "date_precision": row[2],
            "channel": row[3],
            "text": row[4],
            "is_direct_quote": row[5],
            "language": row[6],
            "summary": row[7],
            "topics": topics.get(row[0], []),
            "identifiers": [{"scheme": "uuid", "value": str(row[12])}, *identifiers.get(row[0], [])],
            "sources": sources.get(row[0], []),
            "stance_tags": tags.get(row[0], []),
            "status": row[8],
            "created_at": row[9],
            "updated_at": row[10],
            "version": row[11],
        }
        for row in rows
    ]


# Each filter's actors, topics and categories, resolved to ids in one query before the page's, so that the
# planner sees the ids themselves (a slug lookup inside the page query hides how common an actor is, and
# it then picks a plan for an average actor, not for the busiest one). The project does the same, in
# one query per filter.
RESOLVE = {
    "speaker": "SELECT array_agg(id) FROM actors_actor WHERE slug = ANY(%s)",
    "recipient": "SELECT array_agg(id) FROM actors_actor WHERE slug = ANY(%s)",
    "target_actor": "SELECT array_agg(id) FROM actors_actor WHERE slug = ANY(%s)",
    "target_topic": "SELECT array_agg(id) FROM statements_topic WHERE slug = ANY(%s)",
    # The default taxonomy's categories with those codes, and everything beneath them.
    "stance": """
        WITH RECURSIVE tree(id) AS (
            SELECT c.id FROM statements_stancecategory c JOIN statements_taxonomy tx ON tx.id = c.taxonomy_id
            WHERE tx.is_default AND c.code = ANY(%s)
            UNION
            SELECT c.id FROM statements_stancecategory c JOIN tree ON c.parent_id = tree.id
        )
        SELECT array_agg(id) FROM tree""",
    # The states' bodies: each state, the actors whose country it is, everything beneath them; no persons.
    "country": """
        WITH RECURSIVE tree(id) AS (
            SELECT a.id FROM actors_actor a
            JOIN actors_actor state ON state.slug = ANY(%s) AND state.kind = 'state'
            WHERE a.id = state.id OR a.country_id = state.id
            UNION
            SELECT a.id FROM actors_actor a JOIN tree ON a.parent_id = tree.id
        )
        SELECT array_agg(a.id) FROM actors_actor a JOIN tree ON tree.id = a.id WHERE a.kind <> 'person'""",
}

TARGETS = [("target_actor_id", "target_actor"), ("target_topic_id", "target_topic")]

# One EXISTS with the OR inside, as the project writes it: two OR-ed EXISTS make PostgreSQL hash every
# statement any of the bodies spoke before it reads the first row.
COUNTRY_CONDITION = """EXISTS (
    SELECT 1 FROM statements_statementspeaker sp
    WHERE sp.statement_id = s.id AND (
        sp.actor_id = ANY(%s::bigint[])
        OR EXISTS (
            SELECT 1 FROM actors_role r
            WHERE r.person_id = sp.actor_id AND r.organization_id = ANY(%s::bigint[])
              AND r.start_date <= s.date AND (r.end_date IS NULL OR r.end_date >= s.date)
        )
    )
)"""


def query_parameters(environ):
    """{name: [its non-blank values]} of the query string."""
    return {
        name: [value for value in values if value != ""]
        for name, values in urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()
    }


# stats/stances/: each grouping as SQL over a tag `tg` of a statement `s` (the joins it needs in JOINS), and
# how its value is written. Only the groupings with one value per tag (not speaker or country, which
# multiply a tag by its statement's speakers).
TIME_GROUPS = ("month", "week", "year")
STANCE_GROUPS = {
    "month": ("date_trunc('month', s.date::timestamp)::date", ()),
    "week": ("date_trunc('week', s.date::timestamp)::date", ()),
    "year": ("date_trunc('year', s.date::timestamp)::date", ()),
    "family": ("COALESCE(family.code, cat.code)", ("cat", "family")),
    "category": ("cat.code", ("cat",)),
    "polarity": ("tg.polarity", ()),
    "target": ("COALESCE(ta.slug, tt.slug)", ("ta", "tt")),
}
CATEGORY_GROUPS = ("family", "category")
CATEGORY_NAMES_SQL = """
SELECT c.id, c.code, COALESCE(family.code, c.code)
FROM statements_stancecategory c LEFT JOIN statements_stancecategory family ON family.id = c.parent_id
WHERE c.id = ANY(%s::bigint[])
"""
JOINS = {
    "cat": "JOIN statements_stancecategory cat ON cat.id = tg.category_id",
    "family": "LEFT JOIN statements_stancecategory family ON family.id = cat.parent_id",
    "ta": "LEFT JOIN actors_actor ta ON ta.id = tg.target_actor_id",
    "tt": "LEFT JOIN statements_topic tt ON tt.id = tg.target_topic_id",
}


def period_label(value, group):
    if group == "month":
        return f"{value.year:04d}-{value.month:02d}"
    if group == "year":
        return f"{value.year:04d}"
    return value.isoformat()  # week: the Monday it starts on


def period_labels(group, first, last):
    """Every label of `group` from the period holding `first` to the one holding `last` (as statements.stats)."""
    if group == "year":
        return [str(year) for year in range(first.year, last.year + 1)]
    if group == "month":
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        return [f"{month // 12:04d}-{month % 12 + 1:02d}" for month in months]
    day = first - datetime.timedelta(days=first.weekday())
    labels = []
    while day <= last:
        labels.append(day.isoformat())
        day += datetime.timedelta(days=7)
    return labels


def label_date(label, group):
    if group == "year":
        return datetime.date(int(label), 1, 1)
    if group == "month":
        return datetime.date(int(label[:4]), int(label[5:7]), 1)
    return datetime.date.fromisoformat(label)


def zero_filled(results, group_by, time_group, first, last):
    """A zero for every period of the range without a row, for each value of the other grouping (as the project)."""
    if first is None or last is None:
        found = [row[time_group] for row in results]
        if not found:
            return results
        first = first or label_date(min(found), time_group)
        last = last or label_date(max(found), time_group)
    other = [name for name in group_by if name != time_group]
    # Without a second grouping, one row a period; with one, a row for each of its values found (none: no rows).
    others = sorted({tuple(row[name] for name in other) for row in results}, key=str) if other else [()]
    counts = {(row[time_group], *(row[name] for name in other)): row["count"] for row in results}
    filled = []
    for label in period_labels(time_group, first, last):
        for values in others:
            row = {time_group: label, **dict(zip(other, values, strict=True))}
            row["count"] = counts.get((label, *values), 0)
            filled.append({name: row[name] for name in (*group_by, "count")})
    return filled


def encode_change(txid, change_id):
    return base64.urlsafe_b64encode(f"{txid if txid is not None else ''}:{change_id}".encode()).decode()


class BadRequest(Exception):
    def __init__(self, parameter, message):
        super().__init__(message)
        self.body = {parameter: [message]}


class NotFound(Exception):
    pass


def like_pattern(text):
    """`%text%` for LIKE, with LIKE's own characters escaped as Django's icontains escapes them."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# The scripts PostgreSQL's parser does not split into words, as statements/search.py and the predicate of
# migration 0004's partial trigram index spell them (the planner uses the index only for this exact text).
NO_SPACE_SCRIPT_RANGES = (
    r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
)
NO_SPACE_SCRIPT = re.compile(f"[{NO_SPACE_SCRIPT_RANGES.encode().decode('unicode_escape')}]")
SEARCHED_TEXT = "(s.text || ' ' || s.summary)"
WORDS = "websearch_to_tsquery('statement_search'::regconfig, %s)"


def search_parts(text):
    """The parts of a substring query: "quoted phrases" whole, other words split on spaces; -part excludes."""
    found = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        part = phrase if phrase else word
        if part.strip('"-'):
            found.append(part)
    return found


def is_substring_query(text):
    return any(NO_SPACE_SCRIPT.search(part) for part in search_parts(text) if not part.startswith("-"))


def substring_condition(text):
    """Every part of `text` in the text or summary, ignoring case, and no -part: (sql, args)."""
    conditions, args = [f"{SEARCHED_TEXT} ~ '[{NO_SPACE_SCRIPT_RANGES}]'"], []
    for part in search_parts(text):
        excluded = part.startswith("-") and len(part) > 1
        part = part[1:] if excluded else part
        conditions.append(f"{'NOT ' if excluded else ''}{SEARCHED_TEXT} ILIKE %s")
        args.append(like_pattern(part))
    return "(" + " AND ".join(conditions) + ")", args


class Cursor:
    """DRF's cursor: an offset, a direction, and a position (a JSON list of the ordering's values as strings)."""

    def __init__(self, offset=0, reverse=False, position=None):
        self.offset, self.reverse, self.position = offset, reverse, position

    @classmethod
    def decode(cls, encoded, ranked):
        try:
            querystring = base64.b64decode(encoded.encode("ascii")).decode("ascii")
            tokens = urllib.parse.parse_qs(querystring, keep_blank_values=True)
            offset = int(tokens.get("o", ["0"])[0])
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
            values = json.loads(position) if position is not None else None
            if offset < 0 or (values is not None and (not isinstance(values, list) or len(values) != ranked + 2)):
                raise ValueError("not a cursor of this ordering")
            if values is not None:
                rank = [float(values.pop(0))] if ranked else []
                values = [*rank, datetime.date.fromisoformat(values[0]), int(values[1])]
        except (TypeError, ValueError, UnicodeError) as error:
            raise BadRequest("cursor", "Malformed cursor: use a `next` or `previous` link as given.") from error
        cursor = cls(offset, reverse, position)
        cursor.values = values
        return cursor

    def encode(self):
        tokens = {}
        if self.offset != 0:
            tokens["o"] = str(self.offset)
        if self.reverse:
            tokens["r"] = "1"
        if self.position is not None:
            tokens["p"] = self.position
        querystring = urllib.parse.urlencode(tokens, doseq=True)
        return base64.b64encode(querystring.encode("ascii")).decode("ascii")


def position_of(row):
    """The cursor position of a page row, as the project writes it: `["2025-12-11","42"]` (date, id), or with
    the search rank first when the page is ranked by a search, `["0.0607927106320858","2025-12-11","42"]`."""
    if len(row) > RANK:
        return f'["{row[RANK]}","{row[1].isoformat()}","{row[0]}"]'
    return f'["{row[1].isoformat()}","{row[0]}"]'


def first_change(rows, compare):
    """DRF's marker search: (rows skipped, position) of the first row whose position differs from the last."""
    for skipped, row in enumerate(rows):
        position = position_of(row)
        if position != compare:
            return skipped, position
        compare = position
    return None


def link(base_url, cursor):
    # DRF's replace_query_param: every parameter kept, `cursor` replaced, the query sorted.
    scheme, netloc, path, query, fragment = urllib.parse.urlsplit(base_url)
    query_dict = urllib.parse.parse_qs(query, keep_blank_values=True)
    query_dict["cursor"] = [cursor.encode()]
    query = urllib.parse.urlencode(sorted(query_dict.items()), doseq=True)
    return urllib.parse.urlunsplit((scheme, netloc, path, query, fragment))


class Page:
    """DRF's CursorPagination bookkeeping over the rows of one query (they are in the client's order)."""

    def __init__(self, rows, page_size, cursor, base_url):
        self.base_url, self.page_size, self.cursor = base_url, page_size, cursor
        self.page = rows[:page_size]
        has_following = len(rows) > len(self.page)
        following = position_of(rows[-1]) if has_following else None
        offset = cursor.offset if cursor else 0
        current = cursor.position if cursor else None
        if cursor and cursor.reverse:
            self.page.reverse()
            self.has_next = current is not None or offset > 0
            self.has_previous = has_following
            self.next_position = current if self.has_next else None
            self.previous_position = following if self.has_previous else None
        else:
            self.has_next = has_following
            self.has_previous = current is not None or offset > 0
            self.next_position = following if self.has_next else None
            self.previous_position = current if self.has_previous else None

    def next_link(self):
        # rest_framework.pagination.CursorPagination.get_next_link, step by step.
        if not self.has_next:
            return None
        page, cursor = self.page, self.cursor
        if page and cursor and cursor.reverse and cursor.offset != 0:
            compare = position_of(page[-1])
        else:
            compare = self.next_position
        marker = first_change(reversed(page), compare)
        offset, position = marker or (0, None)
        if page and not marker:
            if not self.has_previous:
                offset, position = self.page_size, None
            elif cursor.reverse:
                offset, position = 0, self.previous_position
            else:
                offset, position = cursor.offset + self.page_size, self.previous_position
        if not page:
            position = self.next_position
        return link(self.base_url, Cursor(offset, False, position))

    def previous_link(self):
        # rest_framework.pagination.CursorPagination.get_previous_link, step by step.
        if not self.has_previous:
            return None
        page, cursor = self.page, self.cursor
        if page and cursor and not cursor.reverse and cursor.offset != 0:
            compare = position_of(page[0])
        else:
            compare = self.previous_position
        marker = first_change(page, compare)
        offset, position = marker or (0, None)
        if page and not marker:
            if not self.has_next:
                offset, position = self.page_size, None
            elif cursor.reverse:
                offset, position = cursor.offset + self.page_size, self.next_position
            else:
                offset, position = 0, self.next_position
        if not page:
            position = self.previous_position
        return link(self.base_url, Cursor(offset, True, position))

    def body(self, connection):
        return dumps(
            {"next": self.next_link(), "previous": self.previous_link(), "results": documents(connection, self.page)}
        )


class Baseline:
    """The WSGI app. One psycopg connection per process, opened on the first request after the fork."""

    def __init__(self, database_url):
        self.conninfo = re.sub(r"^(postgres|pgsql|postgis)://", "postgresql://", database_url)
        self.connection = None
        self.pid = None

    def connect(self):
        if self.connection is None or self.connection.closed or self.pid != os.getpid():
            # In UTC, as Django's connections are: datetimes come back aware, and are written with `Z`.
            self.connection = psycopg.connect(self.conninfo, autocommit=True, options="-c TimeZone=UTC")
            self.pid = os.getpid()
        return self.connection

    def __call__(self, environ, start_response):
        try:
            path = environ.get("PATH_INFO", "")
            if path == LIST_PATH:
                status, body = "200 OK", self.statement_list(environ)
            elif match := DETAIL_PATH.match(path):
                status, body = "200 OK", self.statement_detail(int(match.group(1)))
            elif path == STANCES_PATH:
                status, body = "200 OK", self.stance_stats(query_parameters(environ))
            elif path == DYADS_PATH:
                status, body = "200 OK", self.dyad_stats(query_parameters(environ))
            elif path == CHANGES_PATH:
                status, body = "200 OK", self.changes(environ, query_parameters(environ))
            else:
                raise NotFound()
        except BadRequest as error:
            status, body = "400 Bad Request", dumps(error.body)
        except NotFound:
            status, body = "404 Not Found", dumps({"detail": "Not found."})
        except psycopg.Error:
            # A broken connection is opened again by the next request.
            if self.connection is not None and self.connection.broken:
                self.connection = None
            raise
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def statement_detail(self, statement_id):
        connection = self.connect()
        row = connection.execute(DETAIL_SQL, (statement_id,)).fetchone()
        if row is None:
            raise NotFound()
        return dumps(documents(connection, [row])[0])

    def statement_list(self, environ):
        query_string = environ.get("QUERY_STRING", "")
        params = query_parameters(environ)
        page_size = self.page_size(params)
        texts = [text for text in params.get("q", []) if search_parts(text)]
        word_texts = [text for text in texts if not is_substring_query(text)]
        cursor = Cursor.decode(params["cursor"][-1], ranked=bool(word_texts)) if params.get("cursor") else None

        conditions, args = self.statement_conditions(params)

        rank, rank_args = None, []
        if texts:
            alternatives = []
            for text in texts:
                if text not in word_texts:
                    condition, substring_args = substring_condition(text)
                    alternatives.append(condition)
                    args += substring_args
            if word_texts:
                words = " || ".join([WORDS] * len(word_texts))
                alternatives.append(f"s.search_document @@ ({words})")
                args += word_texts
                # Best match first, then newest first: the project's order for a search without `ordering`.
                # In double precision, as the project casts it: a real would not survive the trip through a cursor.
                rank, rank_args = f"ts_rank(s.search_document, {words})::double precision", word_texts
            conditions.append("(" + " OR ".join(alternatives) + ")")

        reverse = bool(cursor and cursor.reverse)
        if cursor and cursor.values is not None:
            keys, marks = ("s.date, s.id", "%s, %s") if rank is None else (f"{rank}, s.date, s.id", "%s, %s, %s")
            conditions.append(f"({keys}) {'>' if reverse else '<'} ({marks})")
            args += [*rank_args, *cursor.values]
        direction = "ASC" if reverse else "DESC"
        ordering = f"date {direction}, id {direction}"
        if rank is not None:
            ordering = f"search_rank {direction}, {ordering}"
        sql = f"""
            SELECT {STATEMENT_COLUMNS}{"" if rank is None else f", {rank} AS search_rank"}
            FROM statements_statement s
            WHERE {" AND ".join(conditions)}
            ORDER BY {ordering}
            OFFSET %s LIMIT %s
        """
        offset = cursor.offset if cursor else 0
        connection = self.connect()
        # Never prepared: a generic plan, made once for any speaker, would not fit the busiest one.
        rows = connection.execute(sql, [*rank_args, *args, offset, page_size + 1], prepare=False).fetchall()
        base_url = f"{environ.get('wsgi.url_scheme', 'http')}://{environ['HTTP_HOST']}{LIST_PATH}"
        if query_string:
            base_url += "?" + query_string
        return Page(rows, page_size, cursor, base_url).body(connection)

    def stance_stats(self, params):
        """stats/stances/: the tags (or their statements) of the matching statements, grouped in one query."""
        group_by = [name.strip() for name in (params.get("group_by") or [""])[-1].split(",") if name.strip()]
        if len(group_by) > 2 or len(set(group_by)) != len(group_by) or any(g not in STANCE_GROUPS for g in group_by):
            raise BadRequest("group_by", "One or two different groupings of: " + ", ".join(STANCE_GROUPS) + ".")
        counted = (params.get("count") or ["tags"])[-1]
        if counted not in ("tags", "statements"):
            raise BadRequest("count", f"'{counted}' is not one of: tags, statements.")
        conditions, args, tag_conditions, tag_args = self.statement_conditions(params, tag_exists=False)
        connection = self.connect()
        where, arguments = " AND ".join([*conditions, *tag_conditions]), [*args, *tag_args]
        # The statements with a tag meeting the tag-level filters (any tag, without them).
        exists = " AND ".join(["tg.statement_id = s.id", *tag_conditions])
        statements_sql = f"""
            SELECT count(*) FROM statements_statement s
            WHERE {" AND ".join(conditions)} AND EXISTS (SELECT 1 FROM statements_stancetag tg WHERE {exists})
        """
        if not group_by:
            if counted == "statements":
                total = connection.execute(statements_sql, arguments).fetchone()[0]
            else:
                tags = "statements_stancetag tg JOIN statements_statement s ON s.id = tg.statement_id"
                total = connection.execute(f"SELECT count(*) FROM {tags} WHERE {where}", arguments).fetchone()[0]
            return dumps({"group_by": group_by, "count": counted, "total": total, "results": []})
        time_groups = [name for name in group_by if name in TIME_GROUPS]
        # Tags counted by family or category: grouped by category id, each id named afterwards (as the project).
        by_id = counted == "tags" and any(name in CATEGORY_GROUPS for name in group_by)
        expressions, needed = [], set()
        for name in group_by:
            expression, joins = ("tg.category_id", ()) if by_id and name in CATEGORY_GROUPS else STANCE_GROUPS[name]
            expressions.append(expression)
            needed.update(joins)
        joins = " ".join(JOINS[join] for join in JOINS if join in needed)
        aggregate = "count(DISTINCT tg.statement_id)" if counted == "statements" else "count(*)"
        columns = ", ".join(str(position) for position in range(1, len(group_by) + 1))
        # No ORDER BY when zero-filling orders the rows: PostgreSQL then hashes the groups.
        ordered = [
            str(position)
            for position, name in enumerate(group_by, 1)
            if not time_groups and not (by_id and name in CATEGORY_GROUPS)
        ]
        sql = f"""
            SELECT {", ".join(expressions)}, {aggregate}
            FROM statements_stancetag tg JOIN statements_statement s ON s.id = tg.statement_id {joins}
            WHERE {where}
            GROUP BY {columns} {"ORDER BY " + ", ".join(ordered) if ordered else ""}
        """
        rows = connection.execute(sql, arguments).fetchall()
        if by_id:
            rows = self.named_categories(rows, group_by)
        if counted == "tags":
            total = sum(row[-1] for row in rows)  # every tag is in exactly one group
        else:
            total = connection.execute(statements_sql, arguments).fetchone()[0]
        results = [
            {
                **{
                    name: period_label(value, name) if name in TIME_GROUPS else value
                    for name, value in zip(group_by, row, strict=False)
                },
                "count": row[-1],
            }
            for row in rows
        ]
        if time_groups:
            after = [self.iso_date("date_after", value) for value in params.get("date_after", [])]
            before = [self.iso_date("date_before", value) for value in params.get("date_before", [])]
            first, last = min(after, default=None), max(before, default=None)
            results = zero_filled(results, group_by, time_groups[0], first, last)
        return dumps({"group_by": group_by, "count": counted, "total": total, "results": results})

    def named_categories(self, rows, group_by):
        """Rows (values…, count) grouped by category id, as rows grouped by code or family: summed, in the SQL
        order of the other grouping (if any), then by code."""
        positions = [position for position, name in enumerate(group_by) if name in CATEGORY_GROUPS]
        ids = sorted({row[position] for row in rows for position in positions})
        names = {
            pk: {"category": code, "family": family}
            for pk, code, family in self.connect().execute(CATEGORY_NAMES_SQL, (ids,))
        }
        summed = {}
        for *values, count in rows:
            for position in positions:
                values[position] = names[values[position]][group_by[position]]
            summed[tuple(values)] = summed.get(tuple(values), 0) + count
        rank = {}
        for key in summed:
            for position, value in enumerate(key):
                if position not in positions:
                    rank.setdefault(value, len(rank))
        return [
            (*key, summed[key])
            for key in sorted(
                summed, key=lambda key: tuple(v if p in positions else rank[v] for p, v in enumerate(key))
            )
        ]

    def dyad_stats(self, params):
        """stats/dyads/: per speaker and recipient of the matching statements, the statements and their tags'
        quad classes, in one query."""
        conditions, args = self.statement_conditions(params)
        sql = f"""
            SELECT speaker.slug, recipient.slug, count(DISTINCT s.id), count(tg.id),
                   count(*) FILTER (WHERE cat.quad >= 3), count(*) FILTER (WHERE cat.quad <= 2)
            FROM statements_statement s
            JOIN statements_statementspeaker sp ON sp.statement_id = s.id
            JOIN actors_actor speaker ON speaker.id = sp.actor_id
            JOIN statements_statementrecipient sr ON sr.statement_id = s.id
            JOIN actors_actor recipient ON recipient.id = sr.actor_id
            LEFT JOIN statements_stancetag tg ON tg.statement_id = s.id
            LEFT JOIN statements_stancecategory cat ON cat.id = tg.category_id
            WHERE {" AND ".join(conditions)}
            GROUP BY 1, 2
            ORDER BY 3 DESC, 1, 2
        """
        results = [
            {
                "speaker": speaker,
                "recipient": recipient,
                "statements": statements,
                "tags": tags,
                "conflictual_share": round(conflictual / tags, 4) if tags else None,
                "cooperative_share": round(cooperative / tags, 4) if tags else None,
            }
            for speaker, recipient, statements, tags, conflictual, cooperative in self.connect().execute(sql, args)
        ]
        return dumps({"results": results})

    def changes(self, environ, params):
        """statements/changes/: the sync feed for an anonymous client, as statements/changes.py serves it."""
        size = (params.get("page_size") or ["100"])[-1]
        if not (size.isascii() and size.isdigit()) or not 1 <= int(size) <= MAX_PAGE_SIZE:
            raise BadRequest("page_size", f"A whole number from 1 to {MAX_PAGE_SIZE}.")
        given = (params.get("cursor") or [None])[-1]
        conditions, args = ["c.was_public", "(c.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"], []
        conditions[1] += " OR c.txid IS NULL)"  # this connection writes nothing: no transaction of its own
        if given:
            try:
                txid, change_id = base64.urlsafe_b64decode(given.encode()).decode().split(":")
                txid, change_id = (int(txid) if txid else None), int(change_id)
            except (ValueError, UnicodeError) as error:
                raise BadRequest("cursor", "Malformed cursor: use a `next` link as given.") from error
            if txid is None:
                conditions.append("c.id > %s")
                args.append(change_id)
            else:
                conditions.append("(c.txid > %s OR (c.txid = %s AND c.id > %s))")
                args += [txid, txid, change_id]
        connection = self.connect()
        sql = f"""
            SELECT c.id, c.txid, c.statement_id, c.uuid FROM statements_statementchange c
            WHERE {" AND ".join(conditions)} ORDER BY c.txid, c.id LIMIT %s
        """
        page = connection.execute(sql, [*args, int(size)]).fetchall()
        entries, following = [], given
        if page:
            ids = sorted({row[2] for row in page})
            rows = connection.execute(
                f"SELECT {STATEMENT_COLUMNS} FROM statements_statement s "
                "WHERE s.id = ANY(%s::bigint[]) AND s.status = 'published'",
                (ids,),
            ).fetchall()
            documents_by_id = {document["id"]: document for document in documents(connection, rows)}
            for change_id, txid, statement_id, uuid in page:
                document = documents_by_id.get(statement_id)
                entries.append(
                    {
                        "change": encode_change(txid, change_id),
                        "uuid": str(uuid),
                        "kind": "upsert" if document is not None else "tombstone",
                        "statement": document,
                    }
                )
            following = encode_change(page[-1][1], page[-1][0])
        next_url = None
        if following:
            host = f"{environ.get('wsgi.url_scheme', 'http')}://{environ['HTTP_HOST']}"
            next_url = f"{host}{CHANGES_PATH}?cursor={following}&page_size={size}"
        return dumps({"results": entries, "next": next_url, "caught_up": len(entries) < int(size)})

    def statement_conditions(self, params, tag_exists=True):
        """(conditions on `s`, their arguments) of the statement filters; with `tag_exists=False`, the tag-level
        filters (stance, polarity, target: one condition on the same tag) are left out and returned apart,
        as (conditions, args, tag conditions on `tg`, their arguments)."""
        ids = self.resolve(params)
        conditions, args = ["s.status = 'published'"], []
        for name, table in (("speaker", "statementspeaker"), ("recipient", "statementrecipient")):
            if name in ids:
                conditions.append(
                    f"EXISTS (SELECT 1 FROM statements_{table} link "
                    "WHERE link.statement_id = s.id AND link.actor_id = ANY(%s::bigint[]))"
                )
                args.append(ids[name])
        if "country" in ids:
            conditions.append(COUNTRY_CONDITION)
            args += [ids["country"], ids["country"]]
        # stance, polarity and target are one condition on the same tag.
        tag_conditions, tag_args = [], []
        if "stance" in ids:
            tag_conditions.append("tg.category_id = ANY(%s::bigint[])")
            tag_args.append(ids["stance"])
        if params.get("polarity"):
            tag_conditions.append("tg.polarity = ANY(%s)")
            tag_args.append(params["polarity"])
        if "target_actor" in ids:
            targets = [(column, ids[name]) for column, name in TARGETS if ids[name]]
            tag_conditions.append("(" + " OR ".join(f"tg.{column} = ANY(%s::bigint[])" for column, _ in targets) + ")")
            tag_args += [found for _, found in targets]
        if params.get("date_after"):
            conditions.append("s.date >= %s")
            args.append(min(self.iso_date("date_after", value) for value in params["date_after"]))
        if params.get("date_before"):
            conditions.append("s.date <= %s")
            args.append(max(self.iso_date("date_before", value) for value in params["date_before"]))
        if not tag_exists:
            return conditions, args, tag_conditions, tag_args
        if tag_conditions:
            conditions.append(
                "EXISTS (SELECT 1 FROM statements_stancetag tg WHERE tg.statement_id = s.id AND "
                + " AND ".join(tag_conditions)
                + ")"
            )
            args += tag_args
        return conditions, args

    def resolve(self, params):
        """{filter: [ids]} for the filters that name rows, in one query; a name that matches nothing is a 400."""
        asked = {name: params[name] for name in ("speaker", "recipient", "stance", "country") if params.get(name)}
        if params.get("target"):
            asked["target_actor"] = asked["target_topic"] = params["target"]
        if not asked:
            return {}
        sql = "SELECT " + ", ".join(f"({RESOLVE[name]})" for name in asked)
        found = dict(zip(asked, self.connect().execute(sql, list(asked.values())).fetchone(), strict=True))
        for name in ("speaker", "recipient", "stance", "country"):
            if name in found and found[name] is None:
                raise BadRequest(name, f"Unknown: {', '.join(params[name])}.")
        if "target_actor" in found:
            if found["target_actor"] is None and found["target_topic"] is None:
                raise BadRequest("target", f"Unknown actor or topic: {', '.join(params['target'])}.")
            found["target_actor"], found["target_topic"] = found["target_actor"] or [], found["target_topic"] or []
        return found

    @staticmethod
    def page_size(params):
        values = params.get("page_size")
        if not values:
            return DEFAULT_PAGE_SIZE
        size = values[-1]
        if not (size.isascii() and size.isdigit()) or int(size) < 1:
            raise BadRequest("page_size", "Give a whole number of rows per page, at least 1.")
        return min(int(size), MAX_PAGE_SIZE)

    @staticmethod
    def iso_date(name, value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise BadRequest(name, f"'{value}' is not an ISO date (YYYY-MM-DD).") from error


def make_application(database_url=None):
    return Baseline(database_url or os.environ["DATABASE_URL"])
