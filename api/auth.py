"""The write token: every write (update, Graph Store change, upload) needs `Authorization: Bearer <token>`.

Without a configured token the service is read-only. The comparison is constant-time, and the token never appears
in a log line or an error message.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from chainkg.api.errors import ApiError
from chainkg.graph.settings import Settings


def require_write_token(request: Request, settings: Settings) -> None:
    """Raise 403 on a read-only service, 401 when the bearer token is missing or wrong."""
    if settings.write_token is None:
        raise ApiError(403, "read-only", "this service is read-only: set CHAINKG_WRITE_TOKEN to enable writes")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = settings.write_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise ApiError(401, "unauthorized", "writes need the header 'Authorization: Bearer <write token>'",
                       {"WWW-Authenticate": 'Bearer realm="chainkg"'})
