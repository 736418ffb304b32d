from django.urls import reverse

from portal.core.navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    items = []
    for item in items_for(user):
        url = reverse(item.url_name)
        if url == "/":
            matched = [url] if request.path == url else []
        else:
            matched = [p for p in (url, *item.also) if request.path.startswith(p)]
        items.append(
            {
                "label": item.label,
                "url": url,
                "section": item.section,
                "current": bool(matched),
                "matched": max(map(len, matched), default=0),
            }
        )
    # only the most specific match is current (/people/offboardings/ is not also /people/)
    matches = [item for item in items if item["current"]]
    if len(matches) > 1:
        best = max(matches, key=lambda item: item["matched"])
        for item in matches:
            item["current"] = item is best
    return {"nav_items": items}
