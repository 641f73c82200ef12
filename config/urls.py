from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from tracker.sitemaps import SITEMAPS
from tracker.views import favicon, healthz, robots_txt

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("tracker.api.urls")),
    # sets the language cookie the admin follows (the public site follows its URL)
    path("i18n/", include("django.conf.urls.i18n")),
    # every public page in every language, and where crawlers find them
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),  # browsers ask for it whatever the page's <link rel="icon">
]
# Every public page in every language: English at the root, as it has always been, the others under
# /bs/, /hr/, /sr/.
urlpatterns += i18n_patterns(path("", include("tracker.urls")), prefix_default_language=False)
