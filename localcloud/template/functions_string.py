"""String functions."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import quote, unquote

from localcloud.template.dotnet_format import composite_format
from localcloud.template.errors import TemplateError
from localcloud.template.functions_logic import json_
from localcloud.template.hashing import arm_guid, unique_string
from localcloud.template.registry import FunctionTable, expect, pure
from localcloud.template.values import render

FUNCTIONS: FunctionTable = {}
MAX_PAD = 16_384


def _strings(function: str, args: tuple[Any, ...]) -> tuple[str, ...]:
    for position, arg in enumerate(args, 1):
        expect(function, arg, str, position)
    return tuple(args)


@pure(FUNCTIONS, "base64", 1)
def base64_(value: Any) -> str:
    return base64.b64encode(expect("base64", value, str).encode()).decode()


@pure(FUNCTIONS, "base64ToString", 1)
def base64_to_string(value: Any) -> str:
    return _decode_base64("base64ToString", expect("base64ToString", value, str))


@pure(FUNCTIONS, "base64ToJson", 1)
def base64_to_json(value: Any) -> Any:
    return json_(_decode_base64("base64ToJson", expect("base64ToJson", value, str)))


def _decode_base64(
    function: str, text: str, problem: str = "decoded from base64 representation"
) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise TemplateError(
            f"The template language function '{function}' was invoked with a parameter that is "
            f"not valid. The value cannot be {problem}."
        ) from exc


@pure(FUNCTIONS, "dataUri", 1)
def data_uri(value: Any) -> str:
    encoded = base64.b64encode(render(value).encode()).decode()
    return f"data:text/plain;charset=utf8;base64,{encoded}"


@pure(FUNCTIONS, "dataUriToString", 1)
def data_uri_to_string(value: Any) -> str:
    text = expect("dataUriToString", value, str)
    header, comma, payload = text.partition(",")
    if not header.startswith("data:") or not comma:
        raise TemplateError(
            "The template language function 'dataUriToString' expects its parameter to be "
            f"formatted as a valid data URI. The provided value '{text}' was not formatted "
            "correctly. Please see https://aka.ms/arm-functions#dataUriToString for usage details."
        )
    if header.endswith(";base64"):
        return _decode_base64("dataUriToString", payload, "converted to the target type")
    return unquote(payload)


@pure(FUNCTIONS, "like", 2)
def like(text: Any, pattern: Any) -> bool:
    """Wildcard match of the whole string, `*` standing for any run; case-insensitive."""
    text, pattern = _strings("like", (text, pattern))
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, text, re.IGNORECASE | re.DOTALL) is not None


@pure(FUNCTIONS, "endsWith", 2)
def ends_with(text: Any, suffix: Any) -> bool:
    text, suffix = _strings("endsWith", (text, suffix))
    return bool(text.lower().endswith(suffix.lower()))


@pure(FUNCTIONS, "startsWith", 2)
def starts_with(text: Any, prefix: Any) -> bool:
    text, prefix = _strings("startsWith", (text, prefix))
    return bool(text.lower().startswith(prefix.lower()))


@pure(FUNCTIONS, "format", 1, None)
def format_(template: Any, *args: Any) -> str:
    return composite_format(expect("format", template, str), args)


@pure(FUNCTIONS, "guid", 1, None)
def guid(*parts: Any) -> str:
    return arm_guid(*_strings("guid", parts))


@pure(FUNCTIONS, "uniqueString", 1, None)
def unique_string_(*parts: Any) -> str:
    return unique_string(*_strings("uniqueString", parts))


@pure(FUNCTIONS, "padLeft", 2, 3)
def pad_left(value: Any, total: Any, padding: Any = " ") -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        expect("padLeft", value, (str, int))
    expect("padLeft", total, int, 2)
    expect("padLeft", padding, str, 3)
    if len(padding) != 1 or not 0 <= total <= MAX_PAD:
        raise TemplateError(
            "Unable to evaluate language function 'padLeft': the padding character must be a "
            f"single character and the total length between 0 and {MAX_PAD}."
        )
    return render(value).rjust(total, padding)


@pure(FUNCTIONS, "replace", 3)
def replace(text: Any, old: Any, new: Any) -> str:
    text, old, new = _strings("replace", (text, old, new))
    if not old:
        raise TemplateError(
            "Unable to evaluate language function 'replace': the old value cannot be empty."
        )
    return str(text.replace(old, new))


@pure(FUNCTIONS, "split", 2)
def split(text: Any, delimiter: Any) -> list[str]:
    expect("split", text, str)
    delimiters = delimiter if isinstance(delimiter, list) else [delimiter]
    for item in delimiters:
        expect("split", item, str, 2)
    usable = [d for d in delimiters if d]
    if not usable:
        return [text]
    return re.split("|".join(re.escape(d) for d in usable), text)


@pure(FUNCTIONS, "string", 1)
def string(value: Any) -> str:
    return render(value)


@pure(FUNCTIONS, "substring", 2, 3)
def substring(text: Any, start: Any, length: Any = None) -> str:
    expect("substring", text, str)
    expect("substring", start, int, 2)
    if length is None:
        length = len(text) - start
    expect("substring", length, int, 3)
    if start < 0 or length < 0 or start + length > len(text):
        raise TemplateError(
            "Unable to evaluate template language function 'substring': The index and length "
            "parameters must refer to a location within the string. The index parameter: "
            f"'{start}', the length parameter: '{length}', the length of the string parameter: "
            f"'{len(text)}'. Please see https://aka.ms/arm-functions for usage details."
        )
    return str(text[start : start + length])


@pure(FUNCTIONS, "toLower", 1)
def to_lower(text: Any) -> str:
    return str(expect("toLower", text, str).lower())


@pure(FUNCTIONS, "toUpper", 1)
def to_upper(text: Any) -> str:
    return str(expect("toUpper", text, str).upper())


@pure(FUNCTIONS, "trim", 1)
def trim(text: Any) -> str:
    return str(expect("trim", text, str).strip())


_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@pure(FUNCTIONS, "uri", 2)
def uri(base: Any, relative: Any) -> str:
    _strings("uri", (base, relative))
    if not _ABSOLUTE.match(base):
        raise TemplateError(
            "The template language function 'uri' expects its first argument to be a uri "
            f"string. The provided value is '{base}'. Please see "
            "https://aka.ms/arm-function-datauri for usage details."
        )
    return _join_uri(str(base), str(relative))


def _join_uri(base: str, relative: str) -> str:
    if not base.endswith("/"):
        scheme_end = base.find("//") + 2 if "//" in base else 0
        last = base.rfind("/")
        base = base[: last + 1] if last >= scheme_end else base + "/"
    return base + relative[1:] if relative.startswith("/") else base + relative


@pure(FUNCTIONS, "uriComponent", 1)
def uri_component(text: Any) -> str:
    return quote(expect("uriComponent", text, str), safe="-_.~")


@pure(FUNCTIONS, "uriComponentToString", 1)
def uri_component_to_string(text: Any) -> str:
    return unquote(expect("uriComponentToString", text, str))


@pure(FUNCTIONS, "join", 2)
def join(items: Any, delimiter: Any) -> str:
    expect("join", items, list)
    expect("join", delimiter, str, 2)
    return str(delimiter).join(render(item) for item in items)
