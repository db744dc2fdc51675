"""What every write endpoint shares: strict bodies, bounded parsing, If-Match, the workflow's refusals as errors.

- `StrictSerializer`: a body naming a field the endpoint does not take is a 400 that names it. Names the read
  shape serves but a client cannot set (`ignored`: id, created_at, …) are accepted and dropped, so what a GET
  returned can be sent back as it is; they are never applied.
- `RequestTooLarge`: a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (which Django reads no further) is a 413.
- `etag_of` / `check_if_match`: a detail's ETag is the hash of its representation; a write with If-Match that
  names another ETag is refused (409) before anything is written.
- `refusals()`: the workflow's ValidationError, WorkflowError and StaleVersion become 400 or 409 in the API's
  error shape, each naming the field at fault.
"""

import contextlib
import hashlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.http import parse_etags, quote_etag

import orjson
from rest_framework import exceptions, serializers

from config.errors import validation_errors


class Conflict(exceptions.APIException):
    """The write cannot be made in the resource's present state: stale version, published, in use."""

    status_code = 409
    default_detail = "The resource is not in a state that allows this change."
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class StrictSerializer(serializers.Serializer):
    """A body with only known names; `ignored` names (read-only in the read shape) are dropped, never applied."""

    ignored = frozenset()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields) - set(self.ignored))
            if unknown:
                accepted = ", ".join(sorted(name for name, field in self.fields.items() if not field.read_only))
                message = f"Unknown field. Accepted: {accepted}."
                raise serializers.ValidationError({name: [message] for name in unknown})
        if isinstance(data, dict):
            # DRF's text fields take a number as its digits: a body's types are its own, and a number where text
            # belongs is a mistake to report.
            wrong = [
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and not isinstance(field, serializers.ChoiceField)
                and data.get(name) is not None
                and not isinstance(data[name], str)
            ]
            if wrong:
                raise serializers.ValidationError({name: ["Text is expected here."] for name in wrong})
        value = super().to_internal_value(data)
        if self.root is not self and getattr(self.root, "partial", False):
            # An item of a list a PATCH gives (a stance tag, a source) is whole: DRF's partial mode would skip
            # its required fields and its defaults, as it does for the body's own.
            missing = [name for name, field in self.fields.items() if field.required and name not in value]
            if missing:
                raise serializers.ValidationError({name: ["This field is required."] for name in missing})
            for name, field in self.fields.items():
                if name not in value and field.default is not serializers.empty:
                    # field.get_default() would skip the field in partial mode.
                    value[name] = field.default() if callable(field.default) else field.default
        return value


def etag_of(data):
    """The ETag of a representation: a hash of its JSON, whatever the renderer (the browsable API included)."""
    return quote_etag(hashlib.md5(orjson.dumps(data, option=orjson.OPT_SORT_KEYS), usedforsecurity=False).hexdigest())


def check_if_match(request, current):
    """True when If-Match names `current`'s ETag (or `*`), None when absent; a stale ETag raises Conflict."""
    header = request.headers.get("If-Match")
    if not header:
        return None
    given = {tag.removeprefix("W/") for tag in parse_etags(header)}
    if "*" in given or etag_of(current) in given:
        return True
    raise Conflict(
        "It changed since the version you read (If-Match names another ETag): read it again and reapply your change.",
        code="stale_version",
    )


# Where a workflow refusal without a field of its own belongs in the body.
FIELD_OF_CODE = {
    "speaker_required": "speakers",
    "citation_required": "sources",
    "two_targets": "stance_tags",
    "duplicate_tag": "stance_tags",
}
# Refusals that are about the resource's state, not the request's content.
CONFLICT_CODES = {"stale_version", "public_delete", "invalid_transition", "in_use", "exists", "citation_required"}


@contextlib.contextmanager
def refusals(renamed=None):
    """Django's and the workflow's ValidationErrors raised inside, as the API's 400 (per field) or 409."""
    try:
        yield
    except DjangoValidationError as error:
        raise as_api_error(error, renamed or {}) from error


def as_api_error(error, renamed):
    if hasattr(error, "error_dict"):
        codes = {item.code for items in error.error_dict.values() for item in items}
    else:
        codes = {item.code for item in error.error_list}
    if codes & CONFLICT_CODES:
        code = next(iter(codes & CONFLICT_CODES))
        conflict = Conflict(" ".join(error.messages), code=code)
        if code == "citation_required":
            conflict.errors = {"sources": error.messages}
        return conflict
    if codes and codes <= {"unique", "unique_together"}:
        # Only a uniqueness refused (a slug, an identifier taken): the request is fine, the state conflicts.
        conflict = Conflict(" ".join(error.messages), code="exists")
        conflict.errors = validation_errors(error.message_dict) if hasattr(error, "error_dict") else {}
        return conflict
    if hasattr(error, "error_dict"):
        errors = {}
        for name, items in error.error_dict.items():
            name = renamed.get(name, name)
            if name == "__all__":
                name = "non_field_errors"
            errors.setdefault(name, []).extend(message for item in items for message in item.messages)
        return exceptions.ValidationError(errors)
    by_field = {}
    for item in error.error_list:
        by_field.setdefault(FIELD_OF_CODE.get(item.code, "non_field_errors"), []).extend(item.messages)
    return exceptions.ValidationError(by_field)


class ConditionalWrites:
    """A viewset mixin: a detail GET carries the ETag of its representation (`etag_of`), which a client sends
    back as If-Match to guard its write. The middleware then answers If-None-Match with 304 by that ETag."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        read = request.method in ("GET", "HEAD") and getattr(self, "action", None) == "retrieve"
        if read and response.status_code == 200 and isinstance(response.data, dict):
            response["ETag"] = etag_of(response.data)
        return response


def strict_request_bodies(result, generator, request, public):
    """drf-spectacular post-processing hook: a request body takes only the names it documents
    (`additionalProperties: false`), and the read-only names a StrictSerializer accepts and ignores are listed
    as such, so that what a GET returned may be sent back."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ignored = {}
    for cls in subclasses(StrictSerializer):
        name = cls.__name__
        for component in (f"{name}Request", f"Patched{name}Request"):
            ignored[component] = cls.ignored
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name not in ignored:
            continue
        schema["additionalProperties"] = False
        for field in ignored[name]:
            schema.setdefault("properties", {}).setdefault(
                field, {"description": "Read-only: accepted (as a GET returns it) and ignored."}
            )
    return result
