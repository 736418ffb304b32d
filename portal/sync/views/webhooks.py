from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connectors.webhooks import WebhookRejected
from portal.sync.webhooks import account_for_token, receive


@csrf_exempt  # vendors cannot send a CSRF token: the per-account secret authenticates them
@require_POST
def vendor_webhook(request, kind, token):
    """One view for every vendor: the account's vendor entry knows how to read the delivery."""
    try:
        account = account_for_token(kind, token)
        fresh = receive(account, request.headers, request.body)
    except WebhookRejected as rejected:
        return JsonResponse({"success": False, "error": str(rejected)}, status=rejected.status)
    return JsonResponse({"success": True, "duplicate": not fresh}, status=202 if fresh else 200)
