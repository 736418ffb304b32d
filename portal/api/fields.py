"""``?fields=id,first_name``: a list answers with only the fields asked for (smaller, faster)."""

from rest_framework import exceptions, serializers


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


class UsernameOf(serializers.CharField):
    """Who did it: the username of the user in the field of the same name (``decided_by``),
    read only; ``optional=True`` when nobody may have yet (``null`` then)."""

    def __init__(self, *, optional: bool = False, **kwargs):
        if optional:
            kwargs.update(default=None, allow_null=True)
        super().__init__(read_only=True, **kwargs)

    def bind(self, field_name, parent):
        if self.source is None:
            self.source = f"{field_name}.get_username"
        super().bind(field_name, parent)
