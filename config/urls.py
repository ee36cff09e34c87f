from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

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
    # Redoc: served from our static files too; it injects its styles and starts a blob:
    # worker, which this page alone allows.
    path(
        "api/redoc/",
        csp_replace({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
    path("api/v1/", include("api.urls")),
    path("api/v1/", include("api.processes")),
    re_path(r"^api/", not_found),  # any other path under /api/: a 404 in the API's shape
    path("i18n/", include("django.conf.urls.i18n")),
    # The DSFR portal of every role (public pages, personal space, task pages).
    path("", include("portal.urls")),
]
