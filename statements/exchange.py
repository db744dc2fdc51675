"""The exchange files: statements as CSV or NDJSON, written by the export and read back by the import.

One definition of the columns serves both directions, so an export re-imports to the same data.
A file describes statements, not a database: no local id, `version` or `updated_at`; the `uuid`
names a statement everywhere, and `created_at` (when it was first recorded) travels with it.

Three shapes:
- `statements`: one row per statement; its stance tags and sources as JSON in one column each;
- `tags`: one row per stance tag, with its statement's columns (the long table researchers load
  into pandas or R). A statement without a tag has no row.
- `annotations` (export only, curators only): one row per tag of each curator's submitted blind annotation,
  with its statement's columns and the curator's opaque handle, for reliability figures of one's own.

In CSV a list is written as its items joined by " | " (slugs and identifiers never hold a `|`),
and sources and tags as JSON arrays. In NDJSON each line is one JSON object with the same keys:
lists as arrays, JSON columns as arrays of objects, `is_direct_quote` as a boolean, intensity as
a number. Columns marked `readable` (names, roles, a tag's family) are written for people and
ignored on import.
"""

import csv
import io
import json
import re
from dataclasses import dataclass

from django.db import connection, transaction

import orjson

from statements.documents import STATEMENT_COLUMNS as STATEMENT_COLUMNS_OF_DOCUMENTS
from statements.documents import statement_documents
from statements.models import StanceCategory

SEPARATOR = " | "
FORMATS = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson; charset=utf-8"}
SHAPES = ("statements", "tags", "annotations")


@dataclass(frozen=True)
class Column:
    """One column of the exchange files: its name, how its value is written, what it means."""

    name: str
    kind: str  # text, list, json, bool, int
    description: str
    readable: bool = False  # written for people, ignored on import


STATEMENT_COLUMNS = [
    Column("uuid", "text", "The statement's own identifier, for life (the import's key)."),
    Column("identifiers", "list", "Identifiers in other systems, scheme:value (gdelt:1234567); also import keys."),
    Column("date", "text", "ISO date; for month or year precision, the first day."),
    Column("date_precision", "text", "day, month or year."),
    Column("channel", "text", "How it was said: video_call, press_conference, written_statement, …"),
    Column("speakers", "list", "Slugs of the actors who spoke."),
    Column("speaker_names", "list", "Their names, in the same order.", readable=True),
    Column(
        "speaker_roles",
        "list",
        "The role each held on the date, 'Title, Organization', or empty; in the same order.",
        readable=True,
    ),
    Column("recipients", "list", "Slugs of the actors it was addressed to."),
    Column("recipient_names", "list", "Their names, in the same order.", readable=True),
    Column("topics", "list", "Slugs of the topics it concerns."),
    Column("text", "text", "The words, as quoted or paraphrased in the source."),
    Column("is_direct_quote", "bool", "true when the text quotes the speaker's own words."),
    Column("language", "text", "BCP 47 tag of the text."),
    Column("summary", "text", "A short summary."),
    Column("sources", "json", "Citations: [{url, publisher, title, published_on, attribution}]."),
]
TAGS_COLUMN = Column(
    "stance_tags",
    "json",
    "Stance tags: [{category, target_actor, target_topic, polarity, intensity, curator}] (curator: see tag_curator).",
)
TRAILING_COLUMNS = [
    Column("status", "text", "draft, in_review, published or retracted."),
    Column("created_at", "text", "When the statement was first recorded (ISO 8601, UTC)."),
]
TAG_COLUMNS = [
    Column("tag_category", "text", "The tag's stance category code (K1)."),
    Column("tag_family", "text", "The family the category belongs to (K).", readable=True),
    Column("tag_polarity", "text", "favor, against, neutral or unclear."),
    Column("tag_intensity", "int", "0 neutral … 4 condemn / resolutely oppose."),
    Column("tag_target_actor", "text", "Slug of the actor the stance is toward, or empty."),
    Column("tag_target_topic", "text", "Slug of the topic the stance is toward, or empty."),
    Column(
        "tag_curator",
        "text",
        "The curator who made the judgement: a username for curators and the operator's export, else an opaque "
        "handle (curator-…), the same for a curator every time.",
    ),
]
ANNOTATION_COLUMNS = [
    *[column for column in TAG_COLUMNS if column.name != "tag_curator"],
    Column(
        "annotator", "text", "The curator whose annotation it is: an opaque handle (curator-…), the same every time."
    ),
    Column("submitted_at", "text", "When that curator submitted the annotation (ISO 8601, UTC)."),
]
COLUMNS = {
    "statements": [*STATEMENT_COLUMNS, TAGS_COLUMN, *TRAILING_COLUMNS],
    "tags": [*STATEMENT_COLUMNS, *TRAILING_COLUMNS, *TAG_COLUMNS],
    "annotations": [*STATEMENT_COLUMNS, *TRAILING_COLUMNS, *ANNOTATION_COLUMNS],
}


def timestamp(moment):
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def record_of(document):
    """The statement columns of an API document (statements.documents), as Python values."""
    speakers = document["speakers"]
    return {
        "uuid": document["identifiers"][0]["value"],
        "identifiers": [f"{item['scheme']}:{item['value']}" for item in document["identifiers"][1:]],
        "date": document["date"],
        "date_precision": document["date_precision"],
        "channel": document["channel"],
        "speakers": [speaker["slug"] for speaker in speakers],
        "speaker_names": [speaker["name"] for speaker in speakers],
        "speaker_roles": [
            f"{speaker['role']['title']}, {speaker['role']['organization_name']}" if speaker["role"] else ""
            for speaker in speakers
        ],
        "recipients": [recipient["slug"] for recipient in document["recipients"]],
        "recipient_names": [recipient["name"] for recipient in document["recipients"]],
        "topics": document["topics"],
        "text": document["text"],
        "is_direct_quote": document["is_direct_quote"],
        "language": document["language"],
        "summary": document["summary"],
        "sources": document["sources"],
        "stance_tags": document["stance_tags"],
        "status": document["status"],
        "created_at": document["created_at"],
    }


def rows_of(document, shape, families, annotations=None):
    """The rows of one statement in `shape`: {column name: Python value}."""
    record = record_of(document)
    if shape == "statements":
        yield record
        return
    statement = {key: value for key, value in record.items() if key != "stance_tags"}
    if shape == "annotations":
        for tag in (annotations or {}).get(document["id"], ()):
            yield {**statement, **tag, "tag_family": families.get(tag["tag_category"], tag["tag_category"])}
        return
    for tag in document["stance_tags"]:
        yield {
            **statement,
            "tag_category": tag["category"],
            "tag_family": families.get(tag["category"], tag["category"]),
            "tag_polarity": tag["polarity"],
            "tag_intensity": tag["intensity"],
            "tag_target_actor": tag["target_actor"] or "",
            "tag_target_topic": tag["target_topic"] or "",
            "tag_curator": tag["curator"],
        }


def csv_cell(column, value):
    if column.kind == "list":
        return SEPARATOR.join(value)
    if column.kind == "json":
        return orjson.dumps(value).decode()
    if column.kind == "bool":
        return "true" if value else "false"
    return "" if value is None else str(value)


class Writer:
    """Writes rows of one shape in one format, as bytes: `header()` once, then `rows(rows)` for each batch."""

    def __init__(self, format, shape):
        self.format, self.columns = format, COLUMNS[shape]

    def header(self):
        if self.format != "csv":
            return b""
        return self.csv_line([column.name for column in self.columns])

    def rows(self, rows):
        if self.format == "csv":
            return b"".join(
                self.csv_line([csv_cell(column, row[column.name]) for column in self.columns]) for row in rows
            )
        return b"".join(
            orjson.dumps({column.name: row[column.name] for column in self.columns}) + b"\n" for row in rows
        )

    @staticmethod
    def csv_line(cells):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        return buffer.getvalue().encode()


class BadValue(ValueError):
    """A cell that cannot be read as its column says; the message is the reason."""


def decode_cell(column, text):
    """A CSV cell back to the Python value the writer wrote, or BadValue."""
    if column.kind == "list":
        return [item.strip() for item in text.split("|") if item.strip()] if text.strip() else []
    if column.kind == "json":
        if not text.strip():
            return []
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise BadValue(f"not JSON ({error.msg} at character {error.pos + 1})") from None
        if not isinstance(value, list):
            raise BadValue("not a JSON array")
        return value
    if column.kind == "bool":
        lowered = text.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no", ""}:
            return False
        raise BadValue(f"{text!r} is not true or false")
    if column.kind == "int":
        try:
            return int(text)
        except ValueError:
            raise BadValue(f"{text!r} is not a whole number") from None
    return text


def detect_shape(names):
    """The shape whose columns a file's header names (`tags` when it has tag columns), or None."""
    names = set(names)
    if "annotator" in names:
        return "annotations"
    if {column.name for column in TAG_COLUMNS if not column.readable} <= names:
        return "tags"
    if "uuid" in names or "speakers" in names:
        return "statements"
    return None


NOT_IMPORTED = "an annotations export (curators' blind tags) is not imported: import a statements or tags file"


def read(stream, format):
    """(line number, shape, {column: value}, {column: reason}) for each row of a text `stream`.

    Values are decoded as the writer encoded them; a cell that cannot be is left out of the row
    and its reason given instead, so the import can report every fault of every line. Columns a
    file lacks are absent from the row (the import decides which it requires).
    """
    if format == "csv":
        yield from read_csv(stream)
    elif format == "ndjson":
        yield from read_ndjson(stream)
    else:
        raise ValueError(f"Unknown format {format!r}: csv or ndjson.")


def read_csv(stream):
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [name.strip().lstrip("\ufeff") for name in header]
    shape = detect_shape(header)
    by_name = {column.name: column for shape_columns in COLUMNS.values() for column in shape_columns}
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        row, errors = {}, {}
        if len(cells) != len(header):
            errors["_line"] = f"{len(cells)} cells where the header names {len(header)} columns"
        if shape == "annotations":
            errors["_line"] = NOT_IMPORTED
        for name, text in zip(header, cells, strict=False):
            column = by_name.get(name)
            if column is None:
                continue
            try:
                row[name] = decode_cell(column, text)
            except BadValue as error:
                errors[name] = str(error)
        yield reader.line_num, shape, row, errors


def read_ndjson(stream):
    shape = None
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, shape, {}, {"_line": f"not JSON ({error.msg} at character {error.pos + 1})"}
            continue
        if not isinstance(row, dict):
            yield number, shape, {}, {"_line": "not a JSON object"}
            continue
        shape = shape or detect_shape(row)
        yield number, shape, row, ({"_line": NOT_IMPORTED} if shape == "annotations" else {})


def family_codes():
    """{category code: the code of its family (the top of its tree)} in the default taxonomy, in one query."""
    categories = {
        pk: (code, parent_id)
        for pk, code, parent_id in StanceCategory.objects.default_taxonomy().values_list("pk", "code", "parent_id")
    }
    families = {}
    for code, parent_id in categories.values():
        family, seen = code, set()
        while parent_id in categories and parent_id not in seen:
            seen.add(parent_id)
            family, parent_id = categories[parent_id]
        families[code] = family
    return families


def export(queryset, format, shape, batch_size=1000, *, usernames=True):
    """The exchange file of the statements of `queryset`, as chunks of bytes: a header, then a batch at a time.

    Rows come from a server-side cursor (on PostgreSQL) in batches, each built by statement_documents
    in a fixed number of queries and written before the next is read: memory stays flat whatever
    the number of statements. Ordered by `ordering` when the filters set one, else by id.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from export_rows(queryset, format, shape, batch_size, usernames)
        return
    # In a transaction the cursor streams: outside one Django declares it WITH HOLD, and PostgreSQL
    # would compute every row before the first (under the statement timeout). REPEATABLE READ gives
    # the whole file one snapshot, whatever is written while it streams.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield from export_rows(queryset, format, shape, batch_size, usernames)


def export_rows(queryset, format, shape, batch_size, usernames):
    families = family_codes() if shape in ("tags", "annotations") else {}
    writer = Writer(format, shape)
    yield writer.header()
    if not queryset.query.order_by:
        queryset = queryset.order_by("id")
    batch = []
    for row in queryset.values(*STATEMENT_COLUMNS_OF_DOCUMENTS).iterator(chunk_size=batch_size):
        batch.append(row)
        if len(batch) == batch_size:
            yield batch_rows(writer, batch, shape, families, usernames)
            batch = []
    if batch:
        yield batch_rows(writer, batch, shape, families, usernames)


def batch_rows(writer, batch, shape, families, usernames):
    annotations = annotation_rows([row["id"] for row in batch]) if shape == "annotations" else None
    return writer.rows(
        rows
        for document in statement_documents(batch, usernames=usernames)
        for rows in rows_of(document, shape, families, annotations)
    )


def annotation_rows(statement_ids):
    """{statement id: [the annotation columns of each tag of its submitted annotations]}, in one query."""
    from django.conf import settings

    from config.handles import curator_handle
    from statements.models import AnnotationTag

    tags = (
        AnnotationTag.objects.filter(annotation__statement__in=statement_ids, annotation__submitted_at__isnull=False)
        .order_by("annotation__statement", "annotation__curator", "category__code", "id")
        .values_list(
            "annotation__statement_id",
            "category__code",
            "polarity",
            "intensity",
            "target_actor__slug",
            "target_topic__slug",
            "annotation__curator_id",
            "annotation__submitted_at",
        )
    )
    rows = {}
    for statement, code, polarity, intensity, actor, topic, curator, submitted_at in tags:
        rows.setdefault(statement, []).append(
            {
                "tag_category": code,
                "tag_polarity": polarity,
                "tag_intensity": intensity,
                "tag_target_actor": actor or "",
                "tag_target_topic": topic or "",
                "annotator": curator_handle(curator, settings.SECRET_KEY),
                "submitted_at": timestamp(submitted_at),
            }
        )
    return rows


def file_name(format, shape, parameters, today):
    """A file name that says what was exported: statements-speaker-japan_stance-K-2026-11-26.csv."""
    described = []
    for name in sorted(parameters):
        if name in {"format", "shape", "cursor", "page_size"}:
            continue
        values = "+".join(parameters.getlist(name))
        described.append(f"{name}-{values}")
    stem = "_".join([{"statements": "statements", "tags": "stance-tags"}.get(shape, shape), *described])
    stem = re.sub(r"[^\w.+-]+", "-", stem, flags=re.ASCII).strip("-")[:150]
    return f"{stem}-{today.isoformat()}.{format}"
