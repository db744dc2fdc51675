from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from actors.views import ActorViewSet
from statements.views import StanceCategoryViewSet, StatementViewSet, TopicViewSet

router = DefaultRouter()
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
    path("api/v1/", include(router.urls)),
]
