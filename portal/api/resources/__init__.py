"""One module per API resource: its serializers, filters and viewset (``urls.py`` routes them)."""
