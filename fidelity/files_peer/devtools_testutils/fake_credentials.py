"""The placeholder the tests name as the scrubbed value of a real account key."""

from __future__ import annotations

import base64

STORAGE_ACCOUNT_FAKE_KEY = base64.b64encode(b"fake" * 16).decode("ascii")
