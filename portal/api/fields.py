"""``?fields=id,first_name``: a list answers with only the fields asked for (smaller, faster)."""

from rest_framework import exceptions


class SelectableFieldsMixin:
    """On a serializer: honour ``?fields=`` on list requests; an unknown name is a 400."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        view = self.context.get("view")
        if request is None or getattr(view, "action", None) != "list":
            return fields
        wanted = request.query_params.get("fields", "")
        names = [n.strip() for n in wanted.split(",") if n.strip()]
        if not names:
            return fields
        unknown = sorted(set(names) - set(fields))
        if unknown:
            raise exceptions.ValidationError(
                {
                    "fields": [
                        f"Unknown field {', '.join(unknown)}; choose from {', '.join(fields)}."
                    ]
                }
            )
        return {name: field for name, field in fields.items() if name in names}
