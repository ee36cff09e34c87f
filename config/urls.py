from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.middleware import not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI: its start-up script in a second request (no inline script), see the template.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("api/v1/", include("api.urls")),
    path("api/v1/", include("api.processes")),
    re_path(r"^api/", not_found),  # any other path under /api/: a 404 in the API's shape
    path("i18n/", include("django.conf.urls.i18n")),
    # The DSFR portal of every role (public pages, personal space, task pages).
    path("", include("portal.urls")),
]
