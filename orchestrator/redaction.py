"""Secrets are never echoed: the values of environment variables whose names look secret
(`*SECRET*`, `*TOKEN*`, `*PASSWORD*`, `*KEY*`, connection strings, ...) are replaced by `***`
wherever a value could be printed - problem lines, `{{ env }}` printed whole, the final values
`validate` lists. (A secret transformed by a template, `{{ env.TOKEN|upper }}`, is no longer
the same text and is not recognised: keep secrets in secure parameters.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from orchestrator.errors import Problem

MASK = "***"
_SECRET_NAME = re.compile(
    r"SECRET|TOKEN|PASSW|PASSPHRASE|KEY|CONN(?:ECTION)?_?STR|CREDENTIAL|PRIVATE|SIGNATURE|"
    r"(?:^|_)SAS(?:_|$)|(?:^|_)PWD$|AUTH|COOKIE",
    re.IGNORECASE,
)
_NOT_SECRET = frozenset({"PWD", "OLDPWD", "SSH_AUTH_SOCK"})
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words in messages


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says that it holds a secret."""
    return name.upper() not in _NOT_SECRET and _SECRET_NAME.search(name) is not None


def secret_values(env: Mapping[str, str]) -> frozenset[str]:
    """The values of the environment variables whose names look secret."""
    return frozenset(
        value
        for name, value in env.items()
        if is_secret_name(name) and len(value) >= MIN_SECRET_LENGTH
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of a secret replaced by `***` (longest secrets first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_problems(problems: Iterable[Problem], secrets: Iterable[str]) -> list[Problem]:
    known = frozenset(secrets)
    if not known:
        return list(problems)
    return [
        replace(p, message=redact(p.message, known), expected=redact(p.expected, known))
        for p in problems
    ]


class MaskedEnv(dict[str, str]):
    """The environment as templates see it: `{{ env.NAME }}` gives the real value, while
    `{{ env }}` (or `env|string`) printed whole shows secret-looking variables as `***`."""

    def __repr__(self) -> str:
        return repr({k: MASK if is_secret_name(k) else v for k, v in self.items()})

    __str__ = __repr__


def used_secrets(values: Mapping[str, Any], env: Mapping[str, str]) -> frozenset[str]:
    """The secret-looking environment values that appear in `values` (after rendering)."""
    secrets = secret_values(env)
    if not secrets:
        return frozenset()
    texts = [text for value in values.values() for text in _texts(value)]
    return frozenset(s for s in secrets if any(s in text for text in texts))


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
