from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal.sync.models import VendorAccount
from portal.sync.schedules import ensure_schedules, remove_schedules


@receiver(post_save, sender=VendorAccount, dispatch_uid="sync.account_schedules")
def account_saved(sender, instance, **kwargs):
    transaction.on_commit(lambda: ensure_schedules(instance))


@receiver(post_delete, sender=VendorAccount, dispatch_uid="sync.account_schedules_removed")
def account_deleted(sender, instance, **kwargs):
    remove_schedules(instance.pk)
