"""Search terms keyed by (person, term), without an id: the table is made anew and every
person's terms written again (they are derived from the people: nothing is lost). Django does
not alter a primary key into a composite one. E-mail indexed in lower case, as it is compared."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


def index_everyone(apps, schema_editor):
    """Search terms for the people already stored (the same rules as ``people.search``)."""
    from portal.people.search import terms_of

    Person = apps.get_model("people", "Person")
    Term = apps.get_model("people", "PersonSearchTerm")
    batch = []
    people = Person.objects.only("first_name", "last_name", "email", "employee_code")
    for person in people.iterator(chunk_size=2000):
        batch.extend(Term(person_id=person.pk, term=term) for term in terms_of(person))
        if len(batch) >= 5000:
            Term.objects.bulk_create(batch)
            batch = []
    Term.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_department_index_and_unchecked_terms"),
    ]

    operations = [
        # undone last: the terms written again into the table as it was
        migrations.RunPython(migrations.RunPython.noop, index_everyone),
        migrations.DeleteModel(name="PersonSearchTerm"),
        migrations.CreateModel(
            name="PersonSearchTerm",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "person",
                        "term",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_terms",
                        to="people.person",
                    ),
                ),
                ("term", models.CharField(max_length=254)),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["term", "person"],
                        name="person_search_term_prefix",
                        opclasses=["varchar_pattern_ops", "int8_ops"],
                    )
                ],
            },
        ),
        migrations.RunPython(index_everyone, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="email",
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                django.db.models.functions.text.Lower("email"), name="person_by_email"
            ),
        ),
    ]
