from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import routers
from rest_framework.reverse import reverse

from actors.views import ActorViewSet
from statements.views import (
    AgreementStatsView,
    DyadStatsView,
    StanceCategoryViewSet,
    StanceStatsView,
    StatementViewSet,
    TopicViewSet,
)


class APIRootView(routers.APIRootView):
    """The API's resources, and where they are documented."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["stats/stances"] = reverse("stats-stances", request=request)
        response.data["stats/dyads"] = reverse("stats-dyads", request=request)
        response.data["stats/agreement"] = reverse("stats-agreement", request=request)
        response.data["docs"] = reverse("swagger-ui", request=request)
        response.data["schema"] = reverse("schema", request=request)
        return response


router = routers.DefaultRouter()
router.APIRootView = APIRootView
router.register("actors", ActorViewSet, basename="actor")
router.register("statements", StatementViewSet, basename="statement")
router.register("stance-categories", StanceCategoryViewSet, basename="stance-category")
router.register("topics", TopicViewSet, basename="topic")

# No Redoc page: drf-spectacular's Redoc template loads Google Fonts, and the docs must work without any CDN.
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api-root", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/stats/stances/", StanceStatsView.as_view(), name="stats-stances"),
    path("api/v1/stats/dyads/", DyadStatsView.as_view(), name="stats-dyads"),
    path("api/v1/stats/agreement/", AgreementStatsView.as_view(), name="stats-agreement"),
    path("api/v1/", include(router.urls)),
]

# Unreadable requests, unknown addresses and crashes under /api/ answer in the API's error shape; elsewhere,
# Django's pages.
handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
