from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "portal.attendance"
    label = "attendance"
