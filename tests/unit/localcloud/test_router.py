"""Case-insensitive ARM routing."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from localcloud.arm.router import ArmRouter, Handler

_TAGS: dict[Handler, str] = {}


def _handler(tag: str) -> Handler:
    async def handler(request: web.Request, match: Mapping[str, str]) -> web.StreamResponse:
        return web.Response(text=tag)

    _TAGS[handler] = tag
    return handler


def _tag(found: tuple[Handler, dict[str, str]] | None) -> str:
    assert found is not None
    return _TAGS[found[0]]


def test_literal_segments_match_case_insensitively_and_placeholders_are_decoded() -> None:
    router = ArmRouter()
    router.add("GET", "/subscriptions/{sub}/resourcegroups/{rg}", _handler("rg"))
    found = router.match("get", "/SUBSCRIPTIONS/s1/resourceGroups/my%20rg")
    assert found is not None
    assert found[1] == {"sub": "s1", "rg": "my rg"}


def test_trailing_slash_is_accepted_and_extra_segments_are_not() -> None:
    router = ArmRouter()
    router.add("GET", "/subscriptions/{sub}", _handler("sub"))
    assert router.match("GET", "/subscriptions/s/") is not None
    assert router.match("GET", "/subscriptions/s/x") is None


def test_method_must_match_but_allows_path_ignores_it() -> None:
    router = ArmRouter()
    router.add("PUT", "/a/{x}", _handler("put"))
    assert router.match("GET", "/a/1") is None
    assert router.allows_path("/a/1") is True
    assert router.allows_path("/b/1") is False


def test_star_placeholder_takes_several_segments() -> None:
    router = ArmRouter()
    router.add("GET", "/g/{rg}/providers/{rest*}", _handler("generic"))
    found = router.match("GET", "/g/r/providers/Ns/t/n/child/c")
    assert found is not None
    assert found[1]["rest"] == "Ns/t/n/child/c"


def test_first_registered_route_wins_and_first_true_jumps_ahead() -> None:
    router = ArmRouter()
    router.add("GET", "/a/{x}", _handler("one"))
    router.add("GET", "/a/{y}", _handler("two"))
    assert _tag(router.match("GET", "/a/1")) == "one"
    router.add("GET", "/a/{z}", _handler("zero"), first=True)
    assert _tag(router.match("GET", "/a/1")) == "zero"


def test_fallback_routes_lose_to_regular_routes_registered_later() -> None:
    router = ArmRouter()
    router.add_fallback("GET", "/g/{rg}/providers/{rest*}", _handler("generic"))
    router.add("GET", "/g/{rg}/providers/Microsoft.Resources/deployments/{d}", _handler("dep"))
    assert _tag(router.match("GET", "/g/r/providers/microsoft.resources/deployments/d")) == "dep"
    assert _tag(router.match("GET", "/g/r/providers/Contoso/widgets/w")) == "generic"
