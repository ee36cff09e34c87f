"""The API's filter backend: django-filter's, which leaves the queryset as it is when
the request names none of the view's filters.

django-filter builds a filterset on every request — its filters deep-copied, a form
built and validated — even with no filter asked, where it then returns the queryset
unchanged: a tenth of a page of calls' CPU (issue 20). A query parameter names a filter
when it starts with the filter's name (a range's ``_min``/``_max``, a date range's
``_after``/``_before`` too); any such request goes through django-filter as before,
its invalid values refused (400) as before.

A view's ``filterset_fields`` make a ``FilterSet`` class, which django-filter builds
anew on every request; here it is built once per view and model, and kept."""

from django_filters.rest_framework import DjangoFilterBackend

_FILTERSETS: dict[tuple[type, type], type] = {}


class FilterBackend(DjangoFilterBackend):
    def get_filterset_class(self, view, queryset=None):
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model)
        if key not in _FILTERSETS:
            _FILTERSETS[key] = super().get_filterset_class(view, queryset)
        return _FILTERSETS[key]

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = filterset_class.base_filters
        if not any(key.startswith(name) for key in request.query_params for name in names):
            return queryset
        return super().filter_queryset(request, queryset, view)
