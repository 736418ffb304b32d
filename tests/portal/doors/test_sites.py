import pytest

from portal.doors.sites import guess_site
from portal.people.models import Site


@pytest.fixture
def sites():
    return [
        Site(pk=1, name="Hamburg", code="HH"),
        Site(pk=2, name="Hamburg HQ", code="HAM"),
        Site(pk=3, name="Bremen Warehouse", code="BRE"),
        Site(pk=4, name="Hannover Workshop", code="HAN"),
        Site(pk=5, name="Hannover Office", code="HAO"),
    ]


@pytest.mark.parametrize(
    "group,expected",
    [
        ("Hamburg HQ", "Hamburg HQ"),  # equal wins
        ("hamburg hq", "Hamburg HQ"),  # whatever the case
        ("Hamburg HQ – ground floor", "Hamburg HQ"),  # the longest contained name wins
        ("Doors BRE", "Bremen Warehouse"),  # a site code as a word
        ("Bremen", "Bremen Warehouse"),  # inside exactly one site's name
        ("Hannover", None),  # inside two: no guess
        ("Hamlet", None),  # a code inside a word is no match
        ("All Doors", None),
        ("", None),
    ],
)
def test_a_door_group_is_guessed_as_the_site_it_names(sites, group, expected):
    site = guess_site(group, sites)
    assert (site.name if site else None) == expected
