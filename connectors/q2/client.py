"""HTTP client for OpenTimeClock Q2: one URL, the command in ``cmd``, credentials in the body.

Q2 answers refusals with HTTP 200 and ``statusCode`` "ERROR"; only the AWS API Gateway in front
of it uses HTTP statuses (403 for an unknown path, 429, 504 when a page took over 29 s).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors import errors
from connectors.client import VendorClient, json_or_none, raise_for_status
from connectors.paging import LoopGuard
from connectors.q2.mapping import text

PATH = "/Jun-Inside-VPC"
QUERY_TIME_CARDS = "api/q2QueryTimeCards"
QUERY_USERS = "api/q2QueryUsers"
MAX_RECORDS = 5000
END_OF_DATA = "-1"

AUTH_MESSAGES = ("company id not found", "developer token is not correct")
FIELD_MESSAGES = {
    "user full name not found": "userFullName",
    "department name not found": "departmentName",
    "role not found": "role",
}


@dataclass(frozen=True)
class Q2Page:
    data: list[Any]
    sent: str  # the nextRecord this page was asked for
    following: str  # the nextRecord to ask for next; "-1": nothing left


class Q2Client(VendorClient):
    vendor = "OpenTimeClock Q2"

    def is_replayable(self, method: str, path: str) -> bool:
        return True  # every Q2 command reads

    def __init__(self, base_url: str, company_id: str, developer_token: str, **kwargs):
        base = base_url.rstrip("/")
        if base.endswith(PATH):  # accounts may hold the full command URL from the document
            base = base[: -len(PATH)]
        super().__init__(base, **kwargs)
        self.company_id = company_id
        self._developer_token = developer_token

    def is_auth_expired(self, response: httpx.Response) -> bool:
        return False  # no session: the token is in every request and a refusal is final

    def raise_for_vendor_error(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        body = json_or_none(response)
        message = text(body.get("message")) if isinstance(body, Mapping) else ""
        if status == 403 and message == "Missing Authentication Token":
            # API Gateway's answer for a path or method it does not route
            raise errors.NotFoundError(
                f"There is no Q2 API at {response.request.url}; check the server address.",
                status_code=status,
            )
        if status == 504:
            raise errors.TransientError(
                f"Q2 did not answer in time ({message or 'gateway timeout'}).", status_code=status
            )
        raise_for_status(response, f"Q2 answered HTTP {status}: {message or response.text[:200]}")

    # -- commands ---------------------------------------------------------------------------
    def command(self, cmd: str, params: Mapping[str, str]) -> Mapping[str, Any]:
        """Run ``cmd``; returns the SUCCESS envelope or raises the error its message means."""
        body = {
            "cmd": cmd,
            "companyId": self.company_id,
            "developerToken": self._developer_token,
            **params,
        }
        answer = self.json(self.request("POST", PATH, json=body))
        if not isinstance(answer, Mapping):
            raise errors.ProtocolError(f"Q2 answered {cmd} with no JSON object.")
        status = text(answer.get("statusCode")).upper()
        if status == "ERROR":
            raise_for_q2_message(text(answer.get("message")), cmd)
        if status != "SUCCESS":
            raise errors.ProtocolError(
                f"Q2 answered {cmd} with statusCode {answer.get('statusCode')!r}."
            )
        data = answer.get("data")
        if data is None:
            data = []
        if not isinstance(data, list):
            raise errors.ProtocolError(f"Q2 answered {cmd} with data that is not a list.")
        if "nextRecord" not in answer:
            raise errors.ProtocolError(
                f"Q2 answered {cmd} without nextRecord; cannot tell if more is left."
            )
        return {**answer, "data": data}

    def pages(
        self, cmd: str, params: Mapping[str, str], *, next_record: str = "0"
    ) -> Iterator[Q2Page]:
        """Pages of ``cmd``: "0", then each ``nextRecord`` returned, until "-1". A ``nextRecord``
        already asked for would loop forever: that is a ProtocolError."""
        size = str(max(1, min(self.options.page_size, MAX_RECORDS)))
        guard = LoopGuard(self.vendor)
        current = next_record
        while True:
            guard.check(f"nextRecord={current}")
            answer = self.command(cmd, {**params, "nextRecord": current, "maxRecords": size})
            following = text(answer.get("nextRecord")) or END_OF_DATA
            yield Q2Page(answer["data"], current, following)
            if following == END_OF_DATA:
                return
            current = following


def raise_for_q2_message(message: str, cmd: str) -> None:
    lowered = message.lower().rstrip(".")
    if any(marker in lowered for marker in AUTH_MESSAGES):
        raise errors.AuthenticationError(
            f"Q2 refused the credentials: {message} Check the company ID and developer token "
            "(an admin finds the token on Q2's reports page).",
            vendor_code="ERROR",
        )
    for marker, field in FIELD_MESSAGES.items():
        if marker in lowered:
            raise errors.ValidationError(f"Q2: {message}", field=field, vendor_code="ERROR")
    if "date time" in lowered:
        raise errors.ValidationError(f"Q2: {message}", field="dateTimeFrom", vendor_code="ERROR")
    # a command or nextRecord it does not know, or words we have never seen: the protocol is off
    raise errors.ProtocolError(f"Q2 refused {cmd}: {message or 'no message'}", vendor_code="ERROR")
