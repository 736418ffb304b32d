from django.urls import path

from portal.people.views import pages

app_name = "people"

urlpatterns = [
    path("", pages.PersonListView.as_view(), name="person-list"),
]
