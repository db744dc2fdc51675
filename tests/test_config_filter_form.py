"""The browsable API's "Filters" form names every field by its query parameter, with its help text beneath."""

from html.parser import HTMLParser

from django.urls import reverse

import pytest

from actors.filters import ActorFilter
from statements.filters import StanceCategoryFilter, StatementFilter, TopicFilter


class FilterForm(HTMLParser):
    """The field filters form of a browsable API page: each field's label, input name and help text, in order."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.labels, self.fields, self.help_texts = {}, [], {}
        self.reading = None  # ("label", for) or ("help", id) while inside one
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "get" and "form" in (attrs.get("class") or "").split():
            self.in_form = True
        if not self.in_form:
            return
        if tag == "label":
            self.reading, self.text = ("label", attrs["for"]), []
        elif tag == "span" and "helptext" in (attrs.get("class") or "").split():
            self.reading, self.text = ("help", attrs["id"]), []
        elif tag in ("input", "select") and attrs.get("type") != "submit":
            self.fields.append((attrs["name"], attrs["id"], attrs.get("aria-describedby"), attrs.get("class")))

    def handle_data(self, data):
        if self.reading:
            self.text.append(data)

    def handle_endtag(self, tag):
        if self.reading and tag in ("label", "span"):
            kind, key = self.reading
            (self.labels if kind == "label" else self.help_texts)[key] = "".join(self.text)
            self.reading = None
        if tag == "form":
            self.in_form = False


@pytest.mark.parametrize(
    ("url_name", "filterset"),
    [
        ("statement-list", StatementFilter),
        ("actor-list", ActorFilter),
        ("topic-list", TopicFilter),
        ("stance-category-list", StanceCategoryFilter),
    ],
)
def test_each_filter_is_labelled_by_its_parameter_with_its_help_text(api, db, url_name, filterset):
    response = api.get(reverse(url_name), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    form = FilterForm()
    form.feed(response.content.decode())

    assert [name for name, *_ in form.fields] == list(filterset.base_filters)
    for name, field_id, described_by, css_class in form.fields:
        # Exactly the name a client sends: not "Speakers is in:", not "Date after".
        assert form.labels[field_id] == name
        # The input names its help text, which Bootstrap's full-width form-control puts beneath it.
        assert form.help_texts[described_by] == str(filterset.base_filters[name].extra["help_text"])
        assert css_class == "form-control"
