"""The token cache: a kept token is handed out again without signing in, only to the same
identity, never near its expiry, never from a file others may read."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from orchestrator.azure.tokens import (
    MARGIN_S,
    CachedCredential,
    Token,
    TokenFile,
    cache_file,
    identity_key,
)

SCOPE = "https://management.azure.com/.default"


class Source:
    """A credential counting how often it is asked, handing out numbered tokens."""

    def __init__(self, lifetime: float = 3600) -> None:
        self.asked: list[tuple[tuple[str, ...], dict[str, Any]]] = []
        self.lifetime = lifetime

    def get_token(self, *scopes: str, **kwargs: Any) -> Token:
        self.asked.append((scopes, kwargs))
        return Token(f"token-{len(self.asked)}", int(time.time() + self.lifetime))


def cached(path: Path, source: Source, identity: str = "me") -> CachedCredential:
    return CachedCredential(identity_key([identity]), lambda: source, TokenFile(path))


def test_a_kept_token_is_handed_out_by_the_next_run_without_signing_in(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "tokens.json"
    first, second = Source(), Source()
    assert cached(path, first).get_token(SCOPE).token == "token-1"
    assert cached(path, second).get_token(SCOPE).token == "token-1"  # a new run, same file
    assert len(first.asked) == 1 and second.asked == []


def test_another_identity_or_scope_never_gets_the_token(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    cached(path, Source()).get_token(SCOPE)
    other = Source()
    assert cached(path, other, identity="someone else").get_token(SCOPE).token == "token-1"
    assert len(other.asked) == 1
    third = Source()
    cached(path, third).get_token("https://storage.azure.com/.default")
    assert len(third.asked) == 1


def test_a_token_close_to_its_expiry_is_not_handed_out_again(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    cached(path, Source(lifetime=MARGIN_S - 1)).get_token(SCOPE)
    later = Source()
    cached(path, later).get_token(SCOPE)
    assert len(later.asked) == 1


def test_the_file_is_the_users_alone_and_a_readable_one_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "tokens.json"
    cached(path, Source()).get_token(SCOPE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    os.chmod(path, 0o644)
    again = Source()
    cached(path, again).get_token(SCOPE)
    assert len(again.asked) == 1  # not read: others could have written it
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # and replaced by a private one


def test_a_garbled_file_is_a_miss_and_is_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json")
    os.chmod(path, 0o600)
    source = Source()
    assert cached(path, source).get_token(SCOPE).token == "token-1"
    assert len(source.asked) == 1
    assert len(json.loads(path.read_text())) == 1


def test_a_refused_token_is_dropped_and_the_next_request_signs_in(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    source = Source()
    credential = cached(path, source)
    credential.get_token(SCOPE)
    credential.refused(SCOPE)
    assert json.loads(path.read_text()) == {}
    assert credential.get_token(SCOPE).token == "token-2"
    assert cached(path, Source()).get_token(SCOPE).token == "token-2"


def test_claims_always_go_to_the_credential(tmp_path: Path) -> None:
    source = Source()
    credential = cached(tmp_path / "tokens.json", source)
    credential.get_token(SCOPE)
    credential.get_token(SCOPE, claims='{"access_token": {}}')
    assert len(source.asked) == 2 and source.asked[1][1] == {"claims": '{"access_token": {}}'}


def test_without_a_store_nothing_is_written(tmp_path: Path) -> None:
    source = Source()
    credential = CachedCredential(identity_key(["me"]), lambda: source, None)
    credential.get_token(SCOPE)
    credential.get_token(SCOPE)
    assert len(source.asked) == 1  # kept in memory for the run
    assert list(tmp_path.iterdir()) == []


def test_a_cache_folder_that_cannot_be_made_still_signs_in(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder would be")
    source = Source()
    token = cached(tmp_path / "cache" / "tokens.json", source).get_token(SCOPE)
    assert token.token == "token-1" and len(source.asked) == 1


def test_the_cache_lives_in_the_users_cache_folder() -> None:
    assert cache_file({"HOME": "/home/u"}) == Path("/home/u/.cache/orchestrator/tokens.json")
    found = cache_file({"HOME": "/home/u", "XDG_CACHE_HOME": "/c"})
    assert found == Path("/c/orchestrator/tokens.json")
