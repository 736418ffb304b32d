"""Departments, positions and sites: create and change, audited and announced.

Pages, the API and anything else that writes them call ``save_org``. The change, its audit entry
and what receivers of ``org_changed`` write (the sync app's outbox messages to the systems that
model the record) commit together.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction

from portal.core import audit
from portal.core.admin_mixins import snapshot
from portal.people import signals
from portal.people.models import Department, Position, Site

#: the record's kind, as outbox messages and audit actions name it
KINDS: dict[type[models.Model], str] = {
    Department: "department",
    Position: "position",
    Site: "site",
}
#: fields a vendor holds; a change of only the others (a site's zone, address) pushes nothing
PUSHED = {"name", "code", "parent"}
#: the longest name every system that models the kind accepts (BioStar user groups: 48
#: characters; BioTime department, area and position names: 50)
NAME_LIMITS = {"department": 48, "position": 50, "site": 50}


def kind_of(obj: models.Model) -> str:
    return KINDS[type(obj)]


CYCLE = "A department cannot sit under itself or one of its own sub-departments."


def check_department(department: Department) -> None:
    """A department cannot sit under itself or one of its own sub-departments, and its name is
    unique among its siblings, top level included (BioStar refuses two user groups of one name
    under one parent; the database alone lets top-level names repeat)."""
    parent = department.parent
    if (
        parent is not None
        and department.pk is not None
        and department.pk in {parent.pk, *(a.pk for a in parent.ancestors())}
    ):
        raise ValidationError({"parent": CYCLE})
    siblings = Department.objects.filter(parent=parent, name__iexact=department.name)
    if siblings.exclude(pk=department.pk).exists():
        where = f"in {parent.name}" if parent else "at the top level"
        raise ValidationError(
            {"name": f"There is already a department named {department.name!r} {where}."}
        )


@transaction.atomic
def save_org(obj: models.Model, *, request=None, actor=None) -> models.Model:
    """Save a new or changed department, position or site (already validated by a form or a
    serializer), audit it, and announce it so the systems that model it follow."""
    kind = kind_of(obj)
    if isinstance(obj, Department):
        check_department(obj)
    creating = obj.pk is None
    before = {} if creating else snapshot(type(obj).objects.get(pk=obj.pk))
    obj.save()
    after = snapshot(obj)
    if creating:
        audit.record(f"{kind}.created", request=request, actor=actor, obj=obj, after=after)
        signals.org_changed.send(sender=type(obj), obj=obj, kind=kind, action="create")
        return obj
    old, new = audit.changed_values(before, after)
    if old or new:
        audit.record(
            f"{kind}.changed", request=request, actor=actor, obj=obj, before=old, after=new
        )
        if (set(old) | set(new)) & PUSHED:
            signals.org_changed.send(sender=type(obj), obj=obj, kind=kind, action="update")
    return obj
