from django.urls import path

from portal.people.views import pages

app_name = "people"

urlpatterns = [
    path("", pages.PersonListView.as_view(), name="person-list"),
    path("add/", pages.PersonFormView.as_view(), name="person-add"),
    path("<int:pk>/", pages.PersonDetailView.as_view(), name="person-detail"),
    path("<int:pk>/edit/", pages.PersonFormView.as_view(), name="person-edit"),
    path("<int:pk>/terminate/", pages.PersonTerminateView.as_view(), name="person-terminate"),
    path("<int:pk>/rehire/", pages.PersonRehireView.as_view(), name="person-rehire"),
    path("offboardings/", pages.OffboardingListView.as_view(), name="offboarding-list"),
    path(
        "offboardings/<int:pk>/cancel/",
        pages.OffboardingCancelView.as_view(),
        name="offboarding-cancel",
    ),
]
