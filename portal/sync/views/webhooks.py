import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.sync.webhooks import WebhookRejected, account_for_token, receive


@csrf_exempt  # vendors cannot send a CSRF token: the per-account secret authenticates them
@require_POST
def worktime_webhook(request, token):
    try:
        account = account_for_token(token)
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            raise WebhookRejected(400, "Body is not JSON.") from None
        fresh = receive(
            account,
            secret=request.headers.get("X-WorkTime-Secret", ""),
            delivery_id=request.headers.get("X-WorkTime-Delivery", ""),
            event=request.headers.get("X-WorkTime-Event", "") or payload.get("event", ""),
            payload=payload,
        )
    except WebhookRejected as rejected:
        return JsonResponse({"success": False, "error": str(rejected)}, status=rejected.status)
    return JsonResponse({"success": True, "duplicate": not fresh}, status=202 if fresh else 200)
