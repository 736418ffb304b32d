"""Search as you type over 50,000 people: each typed word is the beginning of one of a person's
search terms, found by an index range, never by scanning every person.

A person's terms are the words of their name, their e-mail address and their employee code (and
the code without its leading zeros), case- and accent-folded ("Müller" is found by "mul" and
"Mül"). They live in their own table, rewritten whenever a person is saved; code that writes
people in bulk (``bulk_create``) calls ``index_people`` itself. A word matches the beginning of
a term, the same on SQLite and PostgreSQL: a range on SQLite (its ``LIKE`` cannot use the index),
``LIKE 'word%'`` on PostgreSQL (the index is built with ``varchar_pattern_ops`` for it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from itertools import chain

from django.db import connection
from django.db.models import Q, QuerySet

from portal.core.pg_arrays import array_literal
from portal.people.models import Person, PersonSearchTerm

#: the fields terms are made of: a save that changes none of them leaves the terms alone
SEARCHED_FIELDS = frozenset({"first_name", "last_name", "email", "employee_code"})
#: at most this many words of a search are used (each is one more index lookup)
MAX_WORDS = 8
#: the highest code point: every term that starts with a word sorts below word + this
TOP = "\U0010ffff"
#: SQLite: terms inserted by one statement (two parameters each: well under its 32,766)
ROWS_PER_STATEMENT = 10_000


def fold(text: str) -> str:
    """Lower case, accents dropped, ß as ss: what terms and typed words are compared as."""
    if text.isascii():  # most names and every code: nothing to decompose (bulk imports index many)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms_of(person: Person) -> set[str]:
    terms = set()
    for word in fold(f"{person.first_name} {person.last_name}").split():
        terms.add(word)
        terms.update(part for part in word.replace("'", "-").split("-") if part)
    email = fold(person.email or "").strip()
    if email:
        terms.add(email)
    code = fold(person.employee_code or "").strip()
    if code:
        terms.add(code)
        if code.lstrip("0"):
            terms.add(code.lstrip("0"))
    return {term[: PersonSearchTerm.TERM_LENGTH] for term in terms}


def index_people(people: Iterable[Person], *, new: bool = False) -> None:
    """(Re)write the search terms of these saved people (``new``: just inserted, so without
    terms yet: nothing to delete first)."""
    people = [p for p in people if p.pk is not None]
    if not people:
        return
    if not new:
        PersonSearchTerm.objects.filter(person__in=[p.pk for p in people]).delete()
    # plain rows, not model instances: a pull that imports thousands of people writes ~5 each
    write_terms([(p.pk, term) for p in people for term in terms_of(p)], skip_held=not new)


def write_terms(rows: list[tuple[int, str]], *, skip_held: bool) -> None:
    """Insert (person id, term) rows. ``skip_held``: a term the person holds already is skipped,
    not an error: two saves of one person at once each delete the old terms, then both write
    the new ones. New people's terms are theirs alone (nobody else sees those people before
    they are committed): checking each for a conflict cost PostgreSQL a third more."""
    conflicts = " ON CONFLICT DO NOTHING" if skip_held else ""
    table = connection.ops.quote_name(PersonSearchTerm._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # one statement: psycopg's executemany sent one INSERT a term (a 1,000-person page
            # of a pull: ~5,000 statements, ~0.2 s of client CPU and as long on the server)
            cursor.execute(
                f"INSERT INTO {table} (person_id, term)"
                " SELECT * FROM unnest(%s::bigint[], %s::varchar[])" + conflicts,
                [array_literal(pk for pk, _ in rows), array_literal(term for _, term in rows)],
            )
        else:
            # a statement of many rows: executemany ran one a term (a 1,000-person page of a
            # pull, ~4,000 terms: 22 ms of CPU that way, 17-19 ms this way)
            for start in range(0, len(rows), ROWS_PER_STATEMENT):
                chunk = rows[start : start + ROWS_PER_STATEMENT]
                cursor.execute(
                    f"INSERT INTO {table} (person_id, term) VALUES "
                    + ", ".join(["(%s, %s)"] * len(chunk))
                    + conflicts,
                    list(chain.from_iterable(chunk)),
                )


def starts_with(word: str) -> Q:
    """Terms that begin with ``word`` (already folded), in a form the term index serves."""
    if connection.vendor == "postgresql":
        return Q(term__startswith=word)
    return Q(term__gte=word, term__lt=word + TOP)


def search(people: QuerySet, text: str) -> QuerySet:
    """People with, for every typed word, a term that begins with it."""
    for word in fold(text).split()[:MAX_WORDS]:
        matching = PersonSearchTerm.objects.filter(starts_with(word)).values("person_id")
        people = people.filter(pk__in=matching)
    return people


def reindex_saved_person(sender, instance: Person, update_fields=None, raw=False, **kwargs):
    """``post_save`` of a person: rewrite their terms unless the save left the searched fields."""
    if raw or (update_fields is not None and not SEARCHED_FIELDS & set(update_fields)):
        return
    index_people([instance])
