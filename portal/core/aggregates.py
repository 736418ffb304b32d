"""Aggregates Django 5.2 has for PostgreSQL only, written for every database the portal runs on."""

from django.db.models import Aggregate, CharField, Value

#: between joined values: a control character no name contains, split again in Python
SEPARATOR = "\x1f"


class JoinedText(Aggregate):
    """The group's values as one text (``GROUP_CONCAT`` / ``STRING_AGG``), in no set order."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(SEPARATOR), **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


def split_joined(text: str | None) -> list[str]:
    """The values a ``JoinedText`` joined, sorted."""
    return sorted(text.split(SEPARATOR)) if text else []
