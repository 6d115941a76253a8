from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, reverse
from django.views.generic import RedirectView

from kabinet.api.main import api
from kabinet.billing import views as billing_views
from kabinet.payments.urls import test_provider_urlpatterns


def _admin_login(request, extra_context=None):
    # The admin signs in through the portal's own page, with its lock-outs.
    return redirect_to_login(request.GET.get("next", "/admin/"), reverse("identity:login"))


admin.site.login = _admin_login
admin.site.site_header = "Kabinet"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("kabinet.identity.urls")),
    path("staff/appeals/", include("kabinet.appeals.staff_urls")),
    path("staff/outages/", include("kabinet.outages.staff_urls")),
    path("staff/news/", include("kabinet.news.staff_urls")),
    path("staff/contracts/", include("kabinet.contracts.staff_urls")),
    path("staff/accounts/", include("kabinet.customer_accounts.staff_urls")),
    path("staff/applications/", include("kabinet.applications.staff_urls")),
    path("staff/integration/", include("kabinet.integration.export_urls")),
    path("staff/integration/", include("kabinet.integration.urls")),
    path("staff/readings/", include("kabinet.metering.staff_urls")),
    path("api/integration/", include("kabinet.integration.api_urls")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("staff/", include("kabinet.backoffice.urls")),
    path("houses/", include("kabinet.premises.urls")),
    path("accounts/", include("kabinet.customer_accounts.urls")),
    path("accounts/<uuid:uuid>/", include("kabinet.billing.urls")),
    path("tariffs/", billing_views.tariffs_view, name="tariffs"),
    path("pay/", include("kabinet.payments.urls")),
    path("notifications/", include("kabinet.notifications.urls")),
    path("test-provider/", include(test_provider_urlpatterns)),
    path("meters/", include("kabinet.metering.urls")),
    path("outages/", include("kabinet.outages.urls")),
    path("news/", include("kabinet.news.urls")),
    path("appeals/", include("kabinet.appeals.urls")),
    path("contracts/", include("kabinet.contracts.urls")),
    path("applications/", include("kabinet.applications.urls")),
    path("connection/", include("kabinet.applications.public_urls")),
    path("", include("kabinet.core.urls")),
]
