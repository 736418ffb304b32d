from django.urls import path

from portal.sync.views import (
    drift,
    health,
    offboarding,
    org,
    pages,
    problems,
    provisioning,
    unmatched,
    webhooks,
)

app_name = "sync"

urlpatterns = [
    path("accounts/", pages.VendorAccountListView.as_view(), name="account-list"),
    path("accounts/add/", pages.VendorAccountFormView.as_view(), name="account-add"),
    path("accounts/<int:pk>/edit/", pages.VendorAccountFormView.as_view(), name="account-edit"),
    path(
        "accounts/<int:pk>/<str:action>/", health.AccountActionView.as_view(), name="account-action"
    ),
    path("health/", health.SyncHealthView.as_view(), name="health"),
    path("outbox/<int:pk>/retry/", health.RetryMessageView.as_view(), name="outbox-retry"),
    path("webhooks/<slug:kind>/<str:token>/", webhooks.vendor_webhook, name="webhook"),
    path("problems/", problems.ProblemListView.as_view(), name="problems"),
    path("org-outbox/<int:pk>/retry/", org.RetryOrgMessageView.as_view(), name="org-retry"),
    path(
        "org/<slug:kind>/<int:pk>/send/<int:account_pk>/",
        org.SendOrgRecordView.as_view(),
        name="org-send",
    ),
    path(
        "problems/<int:pk>/retry/", problems.RetryPersonMessageView.as_view(), name="problem-retry"
    ),
    path(
        "offboardings/<int:pk>/steps/",
        offboarding.OffboardingStepsView.as_view(),
        name="offboarding-steps",
    ),
    path(
        "offboardings/<int:pk>/report/",
        offboarding.OffboardingReportView.as_view(),
        name="offboarding-report",
    ),
    path(
        "offboardings/<int:pk>/report.csv",
        offboarding.OffboardingReportCsvView.as_view(),
        name="offboarding-report-csv",
    ),
    path(
        "offboarding-steps/<int:pk>/retry/",
        offboarding.RetryStepView.as_view(),
        name="offboarding-step-retry",
    ),
    path("drift/<int:pk>/<str:how>/", drift.ResolveDriftView.as_view(), name="drift-resolve"),
    path(
        "access-problems/<int:pk>/disable-again/",
        drift.DisableAgainView.as_view(),
        name="access-problem-disable",
    ),
    path("provisioning/", provisioning.ProvisioningRuleListView.as_view(), name="rule-list"),
    path("provisioning/add/", provisioning.ProvisioningRuleFormView.as_view(), name="rule-add"),
    path(
        "provisioning/<int:pk>/edit/",
        provisioning.ProvisioningRuleFormView.as_view(),
        name="rule-edit",
    ),
    path(
        "provisioning/<int:pk>/delete/",
        provisioning.ProvisioningRuleDeleteView.as_view(),
        name="rule-delete",
    ),
    path(
        "provisioning/read-access-groups/",
        provisioning.ReadAccessGroupsView.as_view(),
        name="rule-read-groups",
    ),
    path(
        "people/<int:pk>/provisioning/",
        provisioning.PersonProvisioningView.as_view(),
        name="person-provisioning",
    ),
    path("unmatched/", unmatched.UnmatchedListView.as_view(), name="unmatched-list"),
    path(
        "unmatched/<int:pk>/<str:how>/",
        unmatched.ResolveUnmatchedView.as_view(),
        name="unmatched-resolve",
    ),
]
