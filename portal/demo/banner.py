"""The block ``make run`` prints last, once the portal answers and the worker has reported."""

from portal.demo.users import DEMO_USERS, DemoUser

RULE = "─" * 72


def ready_banner(url: str, users: tuple[DemoUser, ...] = DEMO_USERS) -> str:
    width_user = max(len("user"), *(len(u.username) for u in users))
    width_password = max(len("password"), *(len(u.password) for u in users))
    rows = [f"  {'user':<{width_user}}  {'password':<{width_password}}  role"]
    rows += [
        f"  {u.username:<{width_user}}  {u.password:<{width_password}}  {u.description}"
        for u in users
    ]
    return "\n".join(
        [
            "",
            RULE,
            f"Workgate is running at {url}",
            "",
            "Demo logins:",
            *rows,
            "",
            "Ctrl-C stops everything.",
            RULE,
            "",
        ]
    )
