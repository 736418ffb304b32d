from portal.demo.banner import ready_banner
from portal.demo.users import DEMO_USERS


def test_ready_banner_gives_the_url_every_demo_login_and_how_to_stop():
    lines = ready_banner("http://127.0.0.1:8000/").splitlines()
    text = "\n".join(lines)
    assert "Workgate is running at http://127.0.0.1:8000/" in text
    header = next(i for i, line in enumerate(lines) if line.split() == ["user", "password", "role"])
    table = lines[header + 1 : header + 1 + len(DEMO_USERS)]
    for row, user in zip(table, DEMO_USERS, strict=True):
        assert row.split(maxsplit=2) == [user.username, user.password, user.description]
    # passwords start in one column, so the table reads as a table
    assert len({row.index(user.password) for row, user in zip(table, DEMO_USERS, strict=True)}) == 1
    assert [line for line in lines if line.strip()][-2] == "Ctrl-C stops everything."
