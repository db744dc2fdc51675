"""The curators' dashboard on the admin index: where the work stands and what waits."""

import datetime

from django import template
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from statements.models import StanceTag, Statement, Status

register = template.Library()
LISTED = 10


@register.inclusion_tag("statements/dashboard.html", takes_context=True)
def curation_dashboard(context):
    user = context["request"].user
    if not user.has_perm("statements.view_statement"):
        return {"shown": False}
    changelist = reverse("admin:statements_statement_changelist")
    counts = dict(Statement.objects.order_by().values_list("status").annotate(n=Count("pk")))
    untagged = Statement.objects.filter(status=Status.DRAFT).filter(
        ~Exists(StanceTag.objects.filter(statement=OuterRef("pk")))
    )
    month = timezone.now().date().replace(day=1)
    month_start = datetime.datetime.combine(month, datetime.time(), tzinfo=datetime.UTC)
    return {
        "shown": True,
        "statuses": [
            (label, counts.get(value, 0), f"{changelist}?status__exact={value}") for value, label in Status.choices
        ],
        "review": Statement.objects.filter(status=Status.IN_REVIEW).order_by("-updated_at", "-pk")[:LISTED],
        "review_url": f"{changelist}?queue=review",
        "untagged": untagged.order_by("-pk")[:LISTED],
        "untagged_url": f"{changelist}?queue=untagged&status__exact=draft",
        "tags_this_month": StanceTag.objects.filter(created_at__gte=month_start).count(),
        "month": month,
        "changes": Statement.history.select_related("history_user").order_by("-history_id")[:LISTED],
    }
