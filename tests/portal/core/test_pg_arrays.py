"""``array_literal`` against the server that reads it (PostgreSQL runs of the suite), and its text
everywhere."""

from datetime import date

import pytest
from django.db import connection

from portal.core.pg_arrays import array_literal

AWKWARD = ["plain", 'a "quoted" word', "back\\slash", "comma, {brace}", "", None, "NULL", "é"]


def test_the_text_form_quotes_every_element_and_writes_null_bare():
    assert array_literal([1, 2, 3]) == '{"1","2","3"}'
    assert array_literal([]) == "{}"
    assert array_literal(["a", None]) == '{"a",NULL}'
    assert array_literal(['x"y', "b\\s"]) == '{"x\\"y","b\\\\s"}'


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL reads the literal")
@pytest.mark.parametrize(
    ("values", "cast"),
    [
        (AWKWARD, "text"),
        ([1, 2, 9_007_199_254_740_993], "bigint"),
        ([date(2026, 3, 29), date(2024, 2, 29)], "date"),
        ([], "bigint"),
    ],
)
def test_postgresql_reads_back_the_same_values(values, cast):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v FROM unnest(%s::{cast}[]) WITH ORDINALITY AS a(v, n) ORDER BY n",
            [array_literal(values)],
        )
        assert [row[0] for row in cursor.fetchall()] == values
