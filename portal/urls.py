from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal.core.forms import LoginForm
from portal.core.urls import urlpatterns as core_urlpatterns
from portal.dashboard.urls import urlpatterns as dashboard_urlpatterns

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("people/", include("portal.people.urls")),
    path("devices/", include("portal.devices.urls")),
    path("doors/", include("portal.doors.urls")),
    path("attendance/", include("portal.attendance.urls")),
    path("sync/", include("portal.sync.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("account/", include("portal.api.account_urls")),
    # One namespace for the dashboard and core's pages: links name them `core:dashboard` etc.
    path("", include((dashboard_urlpatterns + core_urlpatterns, "core"))),
]
