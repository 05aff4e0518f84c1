"""The live-mode surface of `devtools_testutils` used by the azure-storage-file-share tests."""

from __future__ import annotations

import functools
import inspect
import os
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest


def is_live() -> bool:
    """Always live: the runner has no recordings to play back."""
    return True


def recorded_by_proxy(test: Callable[..., Any]) -> Callable[..., Any]:
    """Live mode without recording: the test runs as written."""
    return test


class EnvironmentVariableOptions:
    def __init__(self, *, hide_secrets: list[str] | None = None) -> None:
        self.hide_secrets = [name.lower() for name in hide_secrets or []]


class EnvironmentVariable:
    """A value kept out of reprs; `.secret` holds it."""

    def __init__(self, name: str, secret: str) -> None:
        self.name = name
        self.secret = secret

    def __repr__(self) -> str:
        return f"EnvironmentVariable({self.name})"


class EnvironmentVariableLoader:
    """`@EnvironmentVariableLoader("storage", storage_account_name="fake", ...)`: the test gets
    each named keyword from the upper-cased environment variable of that name."""

    def __init__(
        self,
        directory: str,
        *,
        options: EnvironmentVariableOptions | None = None,
        **fake_values: Any,
    ) -> None:
        self.names = [name for name in fake_values if directory in name]
        self.hidden = (options or EnvironmentVariableOptions()).hide_secrets

    def values(self, test: Callable[..., Any]) -> dict[str, Any]:
        """The values `test` takes (all of them when it takes `**kwargs`)."""
        params = inspect.signature(test).parameters
        open_ended = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        found: dict[str, Any] = {}
        for name in self.names:
            if not open_ended and name not in params:
                continue
            value = os.environ[name.upper()]
            found[name] = EnvironmentVariable(name, value) if name in self.hidden else value
        return found

    def __call__(self, test: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(test):

            @functools.wraps(test)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                return await test(*args, **{**kwargs, **self.values(test)})

            return run_async

        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            return test(*args, **{**kwargs, **self.values(test)})

        return run


class AzureRecordedTestCase:
    """What the storage test classes use of the SDK's recorded test case, live."""

    @property
    def is_live(self) -> bool:
        return True

    def is_playback(self) -> bool:
        return False

    @property
    def qualified_test_name(self) -> str:
        return _current_test()

    def get_resource_name(self, name: str) -> str:
        """The same name for every call in one test, different between tests."""
        return f"{name}{zlib.crc32(_current_test().encode()):08x}"

    def create_random_name(self, name: str) -> str:
        return self.get_resource_name(name)

    def get_credential(self, client_class: Any, **kwargs: Any) -> Any:
        """A client-secret credential signed in against localcloud's Entra endpoint (the
        runner names it in `LOCALCLOUD_*` variables)."""
        if kwargs.get("is_async"):
            from azure.identity.aio import ClientSecretCredential as AsyncCredential

            return AsyncCredential(**_credential_settings())
        from azure.identity import ClientSecretCredential

        return ClientSecretCredential(**_credential_settings())

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def generate_sas(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("fake_value", None)
        return args[0](*args[1:], **kwargs)


def _credential_settings() -> dict[str, Any]:
    return {
        "tenant_id": os.environ["LOCALCLOUD_TENANT_ID"],
        "client_id": os.environ["LOCALCLOUD_CLIENT_ID"],
        "client_secret": os.environ["LOCALCLOUD_CLIENT_SECRET"],
        "authority": os.environ["LOCALCLOUD_ENDPOINT"],
        "disable_instance_discovery": True,
    }


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]


def _ignored(*args: Any, **kwargs: Any) -> None:
    """Sanitizers and matchers shape recordings; live runs make none."""


add_body_regex_sanitizer = _ignored
add_general_regex_sanitizer = _ignored
add_general_string_sanitizer = _ignored
add_header_regex_sanitizer = _ignored
add_oauth_response_sanitizer = _ignored
add_uri_string_sanitizer = _ignored
add_uri_regex_sanitizer = _ignored
add_remove_header_sanitizer = _ignored
set_custom_default_matcher = _ignored
set_bodiless_matcher = _ignored


@pytest.fixture(scope="session")
def test_proxy() -> Iterator[None]:
    """No proxy: live requests go straight to the service."""
    yield None
