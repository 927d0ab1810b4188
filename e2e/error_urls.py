"""The site's URLs plus one page that fails, so a journey can see the 500 page a person would see."""

from django.urls import path

from tongban.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("a deliberate failure for the 500 page journey")


urlpatterns = [path("e2e-broken/", broken), *urlpatterns]
