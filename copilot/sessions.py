"""Browser sessions: the page trades its key (in the Authorization header) for an HttpOnly
cookie, so that its event stream, which EventSource cannot give headers, never carries the
key in a URL.

The cookie holds the key's hash and the time it was issued, signed with the server's
secret (`itsdangerous`); it lasts `MAX_AGE_S` (a shift), is sent only to `/v1/`, never to
scripts, and only with same-site requests. It is accepted only where a request changes
nothing (the event streams); every use re-checks the key, so revoking the key ends its
sessions at once.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "copilot_session"
MAX_AGE_S = 12 * 3600
SECRET_FILE = "session_secret"
SALT = "copilot.session"


class Sessions:
    def __init__(self, secret: str) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt=SALT)

    def issue(self, key_hash: str) -> str:
        return self._signer.dumps({"key": key_hash})

    def key_hash(self, token: str) -> str | None:
        """The hash of the key a cookie was issued for; None if forged, altered or too old."""
        try:
            return self._signer.loads(token, max_age=MAX_AGE_S)["key"]
        except (BadSignature, KeyError, TypeError):
            return None


def secret_for(data_dir: Path, configured: str | None) -> str:
    """The signing secret: the configured one (every API node of a deployment shares it), or one
    made once and kept in the data directory, readable by its owner only."""
    if configured:
        return configured
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:   # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
