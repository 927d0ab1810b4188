"""The site's URLs plus one page that fails, for the 500 page tests."""

from django.urls import path

from tongban.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("a deliberate failure for the 500 page test")


urlpatterns = [path("broken/", broken), path("api/v1/broken/", broken), *urlpatterns]
