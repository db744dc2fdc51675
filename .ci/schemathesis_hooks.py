"""schemathesis hooks for `make api-fuzz`: positive test cases name rows that exist, and a negative one must be
negative in what it sends.

A parameter that names a row (`speaker=japan`, `/actors/{slug}/`, a body's `topics`) is a string to the OpenAPI
document, but the API answers 400 ("Unknown actor: 'x'. Did you mean …?") or 404 for one that names nothing, as
it must; so does a language tag that is well formed but not registered. Left alone, every positive test case of
such a parameter would be a random string, rejected before any query runs: positive_data_acceptance would fail
for a correct answer, and the filters, the detail views and the write paths would never run on real rows.

So in a positive test case each such value is replaced by one that exists in the fuzzed database (listed by
.ci/api_fuzz.py in the JSON file API_FUZZ_KNOWN_VALUES), picked by a hash of the generated value so that a
failure reproduces. Negative test cases are left exactly as generated: they must still be refused. And a
generated `cursor` is dropped from positive cases: only the server makes valid cursors (`next`, `previous`).

And "schema-violating request accepted" is not a failure when the query, as it went out, is valid (filter_failure
below): a generated `null` goes out as the text "null", an empty object as an empty value.
"""

import json
import os
import pathlib
import re
import urllib.parse
import zlib

import jsonschema_rs
import schemathesis
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

KNOWN = json.loads(pathlib.Path(os.environ["API_FUZZ_KNOWN_VALUES"]).read_text())

# Query parameters, by the last word of their name, and the rows they name (the same meaning on every operation
# that takes them: `recipient_country` names a state as `country` does).
QUERY = {
    "speaker": "actor",
    "recipient": "actor",
    "actor": "actor",
    "country": "state",
    "affiliation": "organization",
    "target": "target",
    "topic": "topic",
    "stance": "category",
    "parent": "code",
    "taxonomy": "taxonomy",
    "identifier": "identifier",
}
# Path parameters, by the collection they address. A write (PUT, PATCH, DELETE) addresses rows kept apart from
# those the filters and bodies name: a renamed or deleted topic must not turn a later positive case into a 400.
PATH = {"actors": "actor_slug", "topics": "topic", "stance-categories": "code", "statements": "statement"}
PATH_WRITE = {"actors": "actor_to_edit", "topics": "topic_to_edit", "statements": "statement"}
# Fields of JSON bodies (the write endpoints), and of the stance tags in them.
BODY = {
    "speakers": "actor",
    "recipients": "actor",
    "topics": "topic",
    "country": "state",
    "parent": "organization",
    # A BCP 47 tag must have registered subtags (langcodes): a pattern could give the syntax, not the registry.
    "language": "language",
}
# Lists of objects in bodies, and their fields that name something.
NESTED = {
    "stance_tags": {"category": "category", "target_actor": "actor", "target_topic": "topic"},
    "names": {"language": "language"},
    "aliases": {"language": "language"},
}


def known(kind, value):
    """A row of `kind` that exists, the same one for the same generated value."""
    rows = KNOWN[kind]
    return rows[zlib.crc32(repr(value).encode()) % len(rows)]


def replaced(kind, value):
    if isinstance(value, list):
        return [known(kind, item) for item in value]
    return known(kind, value)


def nested(item, fields):
    if not isinstance(item, dict):
        return item
    return {name: known(fields[name], value) if name in fields and value else value for name, value in item.items()}


def collection_of(path):
    """`actors` for /api/v1/actors/{slug}/."""
    parts = [part for part in path.split("/") if part]
    return parts[2] if len(parts) > 2 and parts[:2] == ["api", "v1"] else None


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return case
    if case.query:
        query = {name: value for name, value in case.query.items() if name != "cursor"}
        for name, value in query.items():
            kind = QUERY.get(name.rsplit("_", 1)[-1])
            if kind is not None and value not in (None, [], ""):
                query[name] = replaced(kind, value)
        case.query = query
    if case.path_parameters:
        paths = PATH if case.operation.method.upper() in ("GET", "HEAD") else PATH_WRITE
        kind = paths.get(collection_of(case.operation.path))
        if kind is not None:
            case.path_parameters = {name: known(kind, value) for name, value in case.path_parameters.items()}
    if isinstance(case.body, dict):
        body = dict(case.body)
        for name, kind in BODY.items():
            if body.get(name) not in (None, [], ""):
                body[name] = replaced(kind, body[name])
        for name, fields in NESTED.items():
            if isinstance(body.get(name), list):
                body[name] = [nested(item, fields) for item in body[name]]
        case.body = body
    return case


# A negative test case is negative in the values schemathesis generated, not always in what it sends: a query
# carries text only, so a `null` goes out as the text "null" (a fine search), an empty object or list as an empty
# value, which the document allows (allowEmptyValue: the same as leaving the parameter out). The API is right to
# accept such a request; the check is not about what was sent.


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but "schema-violating request accepted" for a request whose query, as sent, is valid."""
    if failure.code != "ST201" or case.meta is None:
        return True
    negative = {location for location, component in case.meta.components.items() if component.mode.is_negative}
    if negative != {ParameterLocation.QUERY}:
        return True
    query = urllib.parse.urlsplit(response.request.url).query
    return not query_is_valid(case.operation, urllib.parse.parse_qsl(query, keep_blank_values=True))


def query_is_valid(operation, pairs):
    """Whether the query, as the server reads it (every value text, a repeated name an array), is valid."""
    parameters = {parameter.name: parameter.definition for parameter in operation.query}
    values = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    properties, document = {}, {}
    for name, given in values.items():
        definition = parameters.get(name)
        if definition is None or "$ref" in json.dumps(definition.get("schema", {})):
            return False
        if definition.get("allowEmptyValue"):
            given = [value for value in given if value != ""]
            if not given:
                continue
        schema = properties[name] = definition.get("schema", {})
        if schema.get("type") == "array":
            document[name] = [as_typed(value, schema.get("items", {})) for value in given]
        else:
            document[name] = as_typed(given[-1], schema)  # the server reads the last
    validator = jsonschema_rs.validator_for(
        {"type": "object", "properties": properties, "additionalProperties": False}, validate_formats=True
    )
    return validator.is_valid(document)


def as_typed(text, schema):
    """A query value as the type the schema gives it, when the text spells one (else the text, which is then wrong)."""
    if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return text
