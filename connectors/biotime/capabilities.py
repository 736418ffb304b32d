"""Optional parts of the BioTime API: probed once per connector, remembered, reported.

The resignation endpoints (``/personnel/api/resigns/``) came with BioTime 8.5; an 8.0 server
answers them with Django's HTML 404 (or, with the web UI's catch-all, its login page with 200).
A missing optional endpoint must not fail a whole stream: the connector asks here first and
carries on without it.
"""

from __future__ import annotations

import logging

from connectors import errors
from connectors.biotime.client import RESIGNS, BioTimeClient

log = logging.getLogger(__name__)

#: capability name → the list endpoint that proves it
OPTIONAL_ENDPOINTS = {"resignations": RESIGNS}

NO_RESIGNATIONS = (
    "This BioTime server has no resignation API ({path} answers 404, as on BioTime 8.0, which "
    "predates it), so it cannot record resignations; terminate the person in BioTime's console, "
    "or upgrade the server to BioTime 8.5 or later."
)


class OptionalEndpoints:
    def __init__(self, client: BioTimeClient):
        self.client = client
        self._known: dict[str, bool] = {}

    def has(self, name: str) -> bool:
        if name not in self._known:
            self._known[name] = self._probe(OPTIONAL_ENDPOINTS[name])
            if not self._known[name]:
                log.info("BioTime at %s has no %s API", self.client.base_url, name)
        return self._known[name]

    def as_dict(self) -> dict[str, bool]:
        return {name: self.has(name) for name in OPTIONAL_ENDPOINTS}

    def require_resignations(self) -> None:
        if not self.has("resignations"):
            raise errors.UnsupportedError(NO_RESIGNATIONS.format(path=RESIGNS))

    def _probe(self, path: str) -> bool:
        """One small page. An HTML 404 means no such endpoint; HTML with 200 (the web UI's
        catch-all) is asked once more, since a glitch does not repeat but a missing route does.
        Anything else (a licence or permission refusal, a server down) is raised as it is."""
        try:
            return self._lists(path)
        except errors.ProtocolError:
            pass
        try:
            return self._lists(path)
        except errors.ProtocolError:
            return False

    def _lists(self, path: str) -> bool:
        try:
            next(self.client.pages(path, size=1))
        except errors.NotFoundError:
            return False
        return True
