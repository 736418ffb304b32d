"""The portal's roles, as Django groups with permissions. Rebuilt after every migrate."""

from django.contrib.auth.models import Group, Permission

HR = "HR"
SECURITY_DESK = "Security desk"
DOOR_CONTROL = "Door control"
MANAGER = "Manager"
ADMINISTRATOR = "Administrator"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    HR: [
        "people.view_person",
        "people.add_person",
        "people.change_person",
        "people.terminate_person",
        "people.view_offboarding",
        "people.view_department",
        "people.add_department",
        "people.change_department",
        "people.view_position",
        "people.add_position",
        "people.change_position",
        "people.view_site",
        "people.add_site",
        "people.change_site",
        # HR sees the provisioning rules; administrators edit them
        "sync.view_provisioningrule",
        # HR sees every team's timecards and alone (with administrators) reopens approved ones
        "attendance.view_timecard",
        "attendance.view_all_timecards",
        "attendance.change_timecard",
        "attendance.approve_timecard",
        "attendance.reopen_timeperiod",
        "attendance.export_timecards",
        "attendance.view_punch",
        "attendance.view_approval",
    ],
    SECURITY_DESK: [
        "doors.view_door",
        "doors.view_doorevent",
        "doors.view_doorcommand",
        "doors.view_lockdown",
        "doors.view_doorstatechange",
        "doors.view_alarm",
        "devices.view_device",
        "people.view_site",
    ],
    # Acting on doors is its own role so a desk can have watchers (guards) who only watch:
    # commands, lockdown start and end, and acknowledging alarms are each a permission of it.
    # Overriding a lockdown (opening a door it holds) is left to administrators.
    DOOR_CONTROL: [
        "doors.command_door",
        "doors.start_lockdown",
        "doors.end_lockdown",
        "doors.acknowledge_alarm",
    ],
    MANAGER: [
        "attendance.view_timecard",
        "attendance.change_timecard",
        "attendance.approve_timecard",
        "attendance.view_punch",
        "attendance.view_approval",
        "attendance.export_timecards",
    ],
    ADMINISTRATOR: ["*"],
}


def _permissions(codenames: list[str]) -> list[Permission]:
    if codenames == ["*"]:
        return list(Permission.objects.all())
    wanted = {tuple(codename.split(".")) for codename in codenames}
    candidates = Permission.objects.filter(
        codename__in=[code for _, code in wanted]
    ).select_related("content_type")
    return [p for p in candidates if (p.content_type.app_label, p.codename) in wanted]


def ensure_roles(**kwargs) -> None:
    """Create or refresh each role's group so it holds exactly its permissions.

    Runs after each app's migrations; an app migrated later adds its permissions on its own run,
    so a permission that does not exist yet is simply picked up next time.
    """
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(codenames))
