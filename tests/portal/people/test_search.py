"""The directory's search: each typed word is the beginning of a name word, e-mail or code."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.people import search
from portal.people.models import Person, PersonSearchTerm
from portal.people.search import index_people, write_terms
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

LIST = reverse("people:person-list")


def found(client, text: str) -> list[str]:
    return [p.full_name for p in client.get(LIST, {"q": text}).context["rows"]]


def test_words_match_the_beginning_of_names_case_and_accents_folded(client_as):
    PersonFactory(first_name="Jürgen", last_name="Müller-Lüdenscheidt", employee_code="00042")
    PersonFactory(first_name="Ösgür", last_name="Straße", employee_code="00043")
    client = client_as("hr")

    assert found(client, "mul") == ["Jürgen Müller-Lüdenscheidt"]
    assert found(client, "MÜL") == ["Jürgen Müller-Lüdenscheidt"]
    assert found(client, "ludensch") == ["Jürgen Müller-Lüdenscheidt"]  # the second part
    assert found(client, "jur mül") == ["Jürgen Müller-Lüdenscheidt"]
    assert found(client, "ösg") == found(client, "osg") == ["Ösgür Straße"]
    assert found(client, "strass") == ["Ösgür Straße"]
    assert found(client, "üller") == []  # the middle of a word is not a beginning


def test_codes_are_found_with_or_without_their_leading_zeros(client_as):
    PersonFactory(first_name="Ida", last_name="Iversen", employee_code="00077")
    PersonFactory(first_name="Olaf", last_name="Otto", employee_code="ABC-X")
    client = client_as("hr")

    assert found(client, "0007") == ["Ida Iversen"]
    assert found(client, "77") == ["Ida Iversen"]
    assert found(client, "abc-") == ["Olaf Otto"]


def test_a_saved_change_of_name_is_found_by_the_new_name_only(client_as):
    person = PersonFactory(first_name="Hanna", last_name="Hinrichs")
    person.last_name = "Jansen"
    person.save()
    client = client_as("hr")

    assert found(client, "jansen") == ["Hanna Jansen"]
    assert found(client, "hinrichs") == []


def test_people_written_in_bulk_are_found_once_indexed(client_as):
    created = Person.objects.bulk_create(
        [
            Person(employee_code=f"9{n:04d}", first_name="Bulk", last_name=f"Row{n}")
            for n in range(3)
        ]
    )
    client = client_as("hr")
    assert found(client, "bulk") == []  # bulk_create sends no signal: its writer indexes

    index_people(created)

    assert found(client, "bulk") == ["Bulk Row0", "Bulk Row1", "Bulk Row2"]


def test_a_save_of_other_fields_leaves_the_terms():
    person = PersonFactory(first_name="Nina")
    person.phone = "+49 421 1"
    with CaptureQueriesContext(connection) as queries:
        person.save(update_fields=["phone"])
    assert queries and not [q for q in queries if "personsearchterm" in q["sql"]]
    assert "nina" in found_terms(person)


def test_a_rewrite_skips_terms_held_already_and_new_peoples_terms_are_each_held_once():
    """Two saves of one person at once each delete the terms, then both write them: the
    second write skips what the first stored. Terms are keyed by person and term."""
    person = PersonFactory(first_name="Nina", last_name="Nagel")
    held = found_terms(person)

    write_terms([(person.pk, term) for term in held], skip_held=True)

    assert PersonSearchTerm.objects.filter(person=person).count() == len(held)
    assert found_terms(person) == held and {"nina", "nagel"} <= held
    with pytest.raises(IntegrityError), transaction.atomic():
        write_terms([(person.pk, "nina")], skip_held=False)


def test_sqlite_indexes_a_page_of_people_in_one_statement_per_chunk_of_terms(monkeypatch):
    # given a page's worth of people written in bulk (4 terms each) on SQLite
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL sends the terms as two arrays in one statement")
    people = Person.objects.bulk_create(
        Person(
            employee_code=f"7{n:04d}", first_name="Page", last_name=f"Row{n}", email=f"r{n}@x.de"
        )
        for n in range(300)
    )
    monkeypatch.setattr(search, "ROWS_PER_STATEMENT", 1_000)
    steps = []
    connection.ensure_connection()
    connection.connection.set_trace_callback(steps.append)  # each statement SQLite runs
    try:
        # when they are indexed
        index_people(people, new=True)
    finally:
        connection.connection.set_trace_callback(None)

    # then SQLite ran an INSERT per 1,000 terms, not one per term, and every term is there
    inserts = [sql for sql in steps if sql.startswith("INSERT")]
    terms = PersonSearchTerm.objects.filter(person__in=people).count()
    assert terms == 300 * 4 and len(inserts) == 2
    assert found_terms(people[7]) == {"page", "row7", "r7@x.de", "70007"}


def found_terms(person) -> set[str]:
    return set(PersonSearchTerm.objects.filter(person=person).values_list("term", flat=True))


def test_a_deleted_persons_terms_go_with_them():
    """The terms' key is not checked by the database: Django's cascade is what removes them."""
    kept = PersonFactory(first_name="Kim", last_name="Keller")
    gone = PersonFactory(first_name="Gus", last_name="Gone")

    gone_id = gone.pk
    gone.delete()

    assert PersonSearchTerm.objects.filter(person_id=gone_id).count() == 0
    assert PersonSearchTerm.objects.filter(person_id=kept.pk).count() > 0
