from django.urls import reverse

from portal.core.navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    items = []
    for item in items_for(user):
        url = reverse(item.url_name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "section": item.section, "current": current})
    return {"nav_items": items}
