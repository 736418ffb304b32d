"""Audit entries as sentences people read: "hr changed Hanna Hinrichs: phone from 0151 to 0160."

``describe(entry, names)`` is a plain function over one entry. Ids in before/after values
(department 3, manager 17) become names through ``names``, built once per page by
``reference_names(entries)``: one query per referenced model, however many entries. Apps say
which of their audited fields hold ids with ``register_reference`` (the people app does for
department, position, manager and sites), so core names no other app's models.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps

#: audited field name → "app_label.Model" whose ids it holds
REFERENCES: dict[str, str] = {}

#: how a field is named in a sentence, when "first_name" → "first name" is not enough
FIELD_LABELS = {
    "email": "e-mail",
    "hire_date": "hire date",
    "termination_date": "last working day",
    "termination_reason": "reason for leaving",
    "employee_code": "employee code",
    "base_url": "address",
    "secrets_saved": "saved secrets",
    "secrets_replaced": "replaced secrets",
    "push_enabled": "writing people",
    "pull_enabled": "reading",
}
EMPTY = "(empty)"


def register_reference(field: str, model_label: str) -> None:
    REFERENCES[field] = model_label


Names = dict[tuple[str, str], str]


def reference_names(entries: Iterable) -> Names:
    """``{(field, id): name}`` for every id a registered field holds in these entries."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        for values in (entry.before or {}, entry.after or {}):
            if not isinstance(values, dict):
                continue
            for field, value in values.items():
                if field in REFERENCES:
                    ids = value if isinstance(value, list) else [value]
                    wanted.setdefault(field, set()).update(
                        str(v) for v in ids if v not in (None, "")
                    )
    names: Names = {}
    by_model: dict[str, set[str]] = {}
    for field, ids in wanted.items():
        by_model.setdefault(REFERENCES[field], set()).update(ids)
    for label, ids in by_model.items():
        model = apps.get_model(label)
        valid = [int(i) for i in ids if i.isdigit()]
        found = {str(obj.pk): display_name(obj) for obj in model.objects.filter(pk__in=valid)}
        for field, field_ids in wanted.items():
            if REFERENCES[field] == label:
                names.update({(field, i): found.get(i, f"#{i} (since deleted)") for i in field_ids})
    return names


def display_name(obj) -> str:
    return getattr(obj, "full_name", None) or str(obj)


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " "))


def value_text(field: str, value: Any, names: Names) -> str:
    if value in (None, "", [], {}):
        return EMPTY
    if field in REFERENCES:
        ids = value if isinstance(value, list) else [value]
        return ", ".join(names.get((field, str(v)), f"#{v}") for v in ids)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k)} {v}" for k, v in value.items())
    return str(value)


def changes_text(before: dict | None, after: dict | None, names: Names) -> str:
    """ "phone from 0151 to 0160, department from Sales to Support"."""
    before, after = before or {}, after or {}
    parts = []
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if field in before and field in after:
            parts.append(
                f"{field_label(field)} from {value_text(field, old, names)} "
                f"to {value_text(field, new, names)}"
            )
        elif field in after:
            parts.append(f"{field_label(field)} {value_text(field, new, names)}")
        else:
            parts.append(f"{field_label(field)} (was {value_text(field, old, names)})")
    return ", ".join(parts)


def object_name(entry) -> str:
    """The object as it was named when the entry was written, without a trailing "(code)"."""
    text = entry.object_repr or "something"
    if entry.object_type == "people.Person" and text.endswith(")") and " (" in text:
        return text.rsplit(" (", 1)[0]
    return text


def actor_name(entry) -> str:
    actor = getattr(entry, "actor", None) if entry.actor_id else None
    full = actor.get_full_name() if actor is not None else ""
    return full or entry.actor_label or "system"


def describe(entry, names: Names | None = None) -> str:
    """One sentence saying who did what to what, with names, not ids."""
    names = names or {}
    who, what = actor_name(entry), object_name(entry)
    before, after = entry.before or {}, entry.after or {}
    sentence = SENTENCES.get(entry.action)
    if sentence is not None:
        return sentence(who, what, before, after, names)
    if entry.action.startswith("admin."):
        return admin_sentence(entry, who, what, names)
    return generic_sentence(entry, who, what, names)


def _person_created(who, what, before, after, names):
    origin = after.get("from")
    text = f"{who} added {what} (employee code {after.get('employee_code', '?')})"
    return text + (f" from {origin}." if origin else ".")


def _person_changed(who, what, before, after, names):
    return f"{who} changed {what}: {changes_text(before, after, names)}."


def _person_terminated(who, what, before, after, names):
    last_day = after.get("termination_date") or EMPTY
    reason = after.get("termination_reason")
    details = f"last day {last_day}" + (f", reason \u201c{reason}\u201d" if reason else "")
    return f"{who} terminated {what} ({details})."


def _person_rehired(who, what, before, after, names):
    was = before.get("termination_date")
    return f"{who} rehired {what}" + (f" (had left on {was})." if was else ".")


def _person_linked(who, what, before, after, names):
    code = after.get("vendor_code")
    record = f"record {after.get('vendor_id', '?')}" + (f" (code {code})" if code else "")
    return f"{who} linked {what} to {after.get('account', 'a vendor system')} {record}."


def _provisioning_changed(who, what, before, after, names):
    said = {"always": "always in", "never": "never in", "rules": "following the rules for"}
    moves = "; ".join(f"{said.get(mode, mode)} {system}" for system, mode in after.items())
    return f"{who} set {what} to be {moves or 'as before'}."


def _access_groups_changed(who, what, before, after, names):
    groups = ", ".join(after.get("access_groups") or []) or "no access groups of their own"
    system = after.get("system", "a vendor system")
    return f"{who} gave {what} {groups} in {system} (besides the rules' groups)."


def _rule_created(who, what, before, after, names):
    return f"{who} created the provisioning rule {what}: {after.get('summary', '')}."


def _rule_changed(who, what, before, after, names):
    return f"{who} changed the provisioning rule {what}: {changes_text(before, after, names)}."


def _rule_deleted(who, what, before, after, names):
    return f"{who} deleted the provisioning rule {what}."


def _people_exported(who, what, before, after, names):
    filters = after.get("filters") or {}
    shown = "; ".join(f"{k} = {', '.join(map(str, v))}" for k, v in filters.items()) or "none"
    return f"{who} exported {after.get('rows', '?')} people as CSV (filters: {shown})."


def _people_bulk_changed(who, what, before, after, names):
    field = field_label(after.get("field", "a field"))
    text = (
        f"{who} set the {field} of {after.get('people', '?')} people to {after.get('value', '?')}"
        f" ({after.get('changed', 0)} changed"
    )
    refused = after.get("refused")
    return text + (f", {refused} refused)." if refused else ").")


def _account_created(who, what, before, after, names):
    via = " from the command line" if after.get("via") == "cli" else ""
    address = f" at {after['base_url']}" if after.get("base_url") else ""
    return f"{who} connected the vendor account {what}{address}{via}."


def _account_changed(who, what, before, after, names):
    return f"{who} changed the vendor account {what}: {changes_text(before, after, names)}."


def _account_removed(who, what, before, after, names):
    return f"{who} removed the vendor account {what}."


def _check_requested(who, what, before, after, names):
    return f"{who} asked to test the connection to {what}."


def _sync_requested(who, what, before, after, names):
    return f"{who} started a sync of {what}."


def _account_paused(who, what, before, after, names):
    reason = str(after.get("reason") or "the vendor refused the credentials").rstrip(".")
    return f"{who} paused {what}: {reason}."


def _account_resumed(who, what, before, after, names):
    return f"{who} resumed {what}."


def _secrets_rotated(who, what, before, after, names):
    return f"{who} re-encrypted the secrets of {after.get('accounts', '?')} vendor accounts."


def _outbox_retried(who, what, before, after, names):
    error = before.get("last_error")
    return f"{who} retried {what}" + (f" (it had failed: {error})." if error else ".")


# -- the security desk, offboarding, timecards, the API ------------------------------------------


def _quoted(text) -> str:
    return f"\u201c{text}\u201d" if text else ""


def _door_command(who, what, before, after, names):
    action = str(after.get("action", "?")).replace("_", " ")
    until = after.get("unlock_until")
    text = f"{who} asked to {action} {what}" + (f" until {until}" if until else "")
    if after.get("overrides_lockdown"):
        text += ", overriding a lockdown"
    reason = after.get("reason")
    return text + (f" because {_quoted(reason)}." if reason else ".")


def _door_command_outcome(who, what, before, after, names):
    action = str(after.get("action", "?")).replace("_", " ")
    status = str(after.get("status", "?")).replace("_", " ")
    state = after.get("state_after")
    error = after.get("error")
    text = f"The {action} command for {what} ended {status}"
    text += f"; the door reads {state}" if state else ""
    return text + (f" ({error})." if error else ".")


def _lockdown_started(who, what, before, after, names):
    doors = after.get("doors")
    count = f" ({doors} doors)" if doors is not None else ""
    return f"{who} locked down {after.get('scope', what)}{count}: {_quoted(after.get('reason'))}."


def _lockdown_ended(who, what, before, after, names):
    reason = after.get("reason")
    text = f"{who} ended the lockdown of {after.get('scope', what)}"
    return text + (f": {_quoted(reason)}." if reason else ".")


def _alarm_acknowledged(who, what, before, after, names):
    return f"{who} acknowledged {what}: {_quoted(after.get('comment'))}."


def _door_events_exported(who, what, before, after, names):
    filters = after.get("filters")
    return f"{who} exported door events" + (f" ({filters})." if filters else ".")


def _still_active(who, what, before, after, names):
    return f"{after.get('system', 'A system')} still lists {what} as active after termination."


def _disabled_again(who, what, before, after, names):
    return f"{who} disabled {what} again in {after.get('system', 'a system')}."


def _drift_kept(who, what, before, after, names):
    fields = ", ".join(k for k in after if k != "system")
    return f"{who} kept Workgate's {fields} for {what} over {before.get('system', 'the system')}'s."


def _drift_taken(who, what, before, after, names):
    fields = ", ".join(k for k in after if k != "system")
    return f"{who} took {fields} of {what} from {after.get('system', 'a system')}."


def _offboarding_scheduled(who, what, before, after, names):
    return (
        f"{who} scheduled the offboarding of {what}: last day {after.get('last_day', '?')}, "
        f"access ends {after.get('scheduled_for', '?')} ({_quoted(after.get('reason'))})."
    )


def _offboarding_cancelled(who, what, before, after, names):
    return f"{who} cancelled {what}: {_quoted(after.get('cancel_reason'))}."


def _offboarding_retried(who, what, before, after, names):
    return f"{who} retried {what} in {after.get('system', 'a system')}."


def _offboarding_exported(who, what, before, after, names):
    return f"{who} downloaded the report of {what}."


def _punch(after) -> str:
    return f"{after.get('direction', '?')} punch at {after.get('at', '?')}"


def _punch_added(who, what, before, after, names):
    return f"{who} added an {_punch(after)} because {_quoted(after.get('reason'))}."


def _punch_moved(who, what, before, after, names):
    return (
        f"{who} moved the {_punch(before)} to {after.get('at', '?')} "
        f"because {_quoted(after.get('reason'))}."
    )


def _punch_voided(who, what, before, after, names):
    return f"{who} voided the {_punch(before)} because {_quoted(after.get('reason'))}."


def _timecards_exported(who, what, before, after, names):
    return (
        f"{who} exported timecards {after.get('start', '?')} to {after.get('end', '?')} as "
        f"{str(after.get('format', '?')).upper()} ({after.get('people', '?')} people)."
    )


def _period_decided(verb):
    def sentence(who, what, before, after, names):
        comment = after.get("comment")
        return f"{who} {verb} {what}" + (f": {_quoted(comment)}." if comment else ".")

    return sentence


def _token_created(who, what, before, after, names):
    expires = after.get("expires_at")
    text = f"{who} created the API token {_quoted(after.get('name'))} ({after.get('prefix', '?')})"
    return text + (f", expiring {expires}." if expires else ".")


def _token_revoked(who, what, before, after, names):
    return f"{who} revoked the API token {after.get('prefix', what)}."


def _webhook_retried(who, what, before, after, names):
    return f"{who} retried {what}."


def _webhook_secret_rotated(who, what, before, after, names):
    until = after.get("previous_signs_until")
    text = f"{who} rotated the secret of {what}"
    return text + (f"; the old one signs until {until}." if until else ".")


def _org_created(kind):
    def sentence(who, what, before, after, names):
        return f"{who} added the {kind} {what} (code {after.get('code', '?')})."

    return sentence


def _org_changed(kind):
    def sentence(who, what, before, after, names):
        return f"{who} changed the {kind} {what}: {changes_text(before, after, names)}."

    return sentence


def _org_send_requested(who, what, before, after, names):
    kind = after.get("kind", "record")
    return f"{who} asked to send the {kind} {what} to {after.get('account', '?')}."


SENTENCES = {
    "person.created": _person_created,
    "person.changed": _person_changed,
    "person.terminated": _person_terminated,
    "person.rehired": _person_rehired,
    "person.linked": _person_linked,
    "person.provisioning_changed": _provisioning_changed,
    "person.access_groups_changed": _access_groups_changed,
    "provisioning_rule.created": _rule_created,
    "provisioning_rule.changed": _rule_changed,
    "provisioning_rule.deleted": _rule_deleted,
    "people.exported": _people_exported,
    "people.bulk_changed": _people_bulk_changed,
    **{f"{kind}.created": _org_created(kind) for kind in ("department", "position", "site")},
    **{f"{kind}.changed": _org_changed(kind) for kind in ("department", "position", "site")},
    "org.send_requested": _org_send_requested,
    "vendor_account.created": _account_created,
    "vendor_account.changed": _account_changed,
    "vendor_account.removed": _account_removed,
    "vendor_account.check_requested": _check_requested,
    "vendor_account.sync_requested": _sync_requested,
    "vendor_account.paused": _account_paused,
    "vendor_account.resumed": _account_resumed,
    "vendor_secrets.rotated": _secrets_rotated,
    "outbox.retried": _outbox_retried,
    "door.command.requested": _door_command,
    "door.command.override": _door_command,
    **{
        f"door.command.{status}": _door_command_outcome
        for status in ("sent", "succeeded", "failed", "expired", "uncertain")
    },
    "door.lockdown.started": _lockdown_started,
    "door.lockdown.ended": _lockdown_ended,
    "alarm.acknowledge": _alarm_acknowledged,
    "door_events.export": _door_events_exported,
    "access.still_active": _still_active,
    "access.disabled_again": _disabled_again,
    "drift.kept_ours": _drift_kept,
    "drift.took_theirs": _drift_taken,
    "offboarding.scheduled": _offboarding_scheduled,
    "offboarding.cancelled": _offboarding_cancelled,
    "offboarding.retried": _offboarding_retried,
    "offboarding.exported": _offboarding_exported,
    "timecards.punch_added": _punch_added,
    "timecards.punch_moved": _punch_moved,
    "timecards.punch_voided": _punch_voided,
    "timecards.exported": _timecards_exported,
    "timecards.period_approved": _period_decided("approved"),
    "timecards.period_rejected": _period_decided("rejected"),
    "timecards.period_reopened": _period_decided("reopened"),
    "api_token.created": _token_created,
    "api_token.revoked": _token_revoked,
    "webhook_delivery.retried": _webhook_retried,
    "webhook_endpoint.secret_rotated": _webhook_secret_rotated,
}

ADMIN_VERBS = {
    "created": "created",
    "changed": "changed",
    "deleted": "deleted",
    "enabled": "enabled",
    "disabled": "disabled",
    "toggled": "switched on or off",
    "run": "ran",
}


def admin_sentence(entry, who, what, names) -> str:
    """``admin.<model>.<verb>``: edits made in the Django admin."""
    _, model, verb = (entry.action.split(".") + ["", ""])[:3]
    kind = model.replace("_", " ")
    text = f"{who} {ADMIN_VERBS.get(verb, verb)} the {kind} {what} in the admin site"
    if verb in ("changed", "enabled", "disabled", "toggled") and (entry.before or entry.after):
        return f"{text}: {changes_text(entry.before, entry.after, names)}."
    return f"{text}."


def generic_sentence(entry, who, what, names) -> str:
    """Any action without its own sentence still reads as one: "security door command on …"."""
    subject, _, verb = entry.action.rpartition(".")
    action = f"{verb.replace('_', ' ')} ({subject.replace('_', ' ')})" if subject else verb
    target = f" {what}" if entry.object_repr else ""
    changes = changes_text(entry.before, entry.after, names)
    return f"{who}: {action}{target}" + (f": {changes}." if changes else ".")
