from django.urls import path

from portal.sync.views import pages

app_name = "sync"

urlpatterns = [
    path("accounts/", pages.VendorAccountListView.as_view(), name="account-list"),
    path("accounts/add/", pages.VendorAccountFormView.as_view(), name="account-add"),
    path("accounts/<int:pk>/edit/", pages.VendorAccountFormView.as_view(), name="account-edit"),
]
