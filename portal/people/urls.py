from django.urls import path

from portal.people.views import bulk, directory, export, org, pages, suggest, team

app_name = "people"

urlpatterns = [
    path("", directory.PersonListView.as_view(), name="person-list"),
    path("export.csv", export.PersonExportView.as_view(), name="person-export"),
    path("bulk/", bulk.PersonBulkChangeView.as_view(), name="person-bulk"),
    path("suggest/", suggest.PersonSuggestView.as_view(), name="person-suggest"),
    path("add/", pages.PersonFormView.as_view(), name="person-add"),
    path("<int:pk>/", pages.PersonDetailView.as_view(), name="person-detail"),
    path("<int:pk>/edit/", pages.PersonFormView.as_view(), name="person-edit"),
    path("<int:pk>/terminate/", pages.PersonTerminateView.as_view(), name="person-terminate"),
    path("<int:pk>/rehire/", pages.PersonRehireView.as_view(), name="person-rehire"),
    *[
        route
        for kind, spec in org.KINDS.items()
        for route in (
            path(f"{kind}s/", org.OrgListView.as_view(org=spec), name=f"{kind}-list"),
            path(f"{kind}s/add/", org.OrgFormView.as_view(org=spec), name=f"{kind}-add"),
            path(f"{kind}s/<int:pk>/edit/", org.OrgFormView.as_view(org=spec), name=f"{kind}-edit"),
        )
    ],
    path("team-view/", team.TeamViewToggleView.as_view(), name="team-view"),
    path("offboardings/", pages.OffboardingListView.as_view(), name="offboarding-list"),
    path(
        "offboardings/<int:pk>/cancel/",
        pages.OffboardingCancelView.as_view(),
        name="offboarding-cancel",
    ),
]
