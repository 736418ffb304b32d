from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from portal.core.heartbeat import worker_status


def worker_status_partial(request):
    """Polled by the admin dashboard's status line."""
    if not request.user.has_perm("sync.view_vendoraccount"):
        raise PermissionDenied("The system status is shown to administrators only.")
    return render(request, "dashboard/dashboard.html#worker-status", {"worker": worker_status()})
