"""Template hashes: `calculateTemplateHash` and a deployment's `properties.templateHash`.

Azure's hash comes from a closed-source library and cannot be reproduced. localcloud's
contract is only what clients rely on: the value is a decimal string, deterministic, equal
for `calculateTemplateHash` and for a deployment of the same template, and - as on Azure -
equal to `metadata._generator.templateHash` when the template carries one (Bicep output).

Without a generator hash it is the first 8 bytes (big-endian, unsigned) of the SHA-256 of
the template's canonical JSON (sorted keys, no whitespace, UTF-8), so key order and
formatting do not change the hash but any value does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def minified(template: Any) -> str:
    """What calculateTemplateHash returns as `minifiedTemplate`: compact JSON, upper-cased."""
    return json.dumps(template, separators=(",", ":"), ensure_ascii=False).upper()


def generator_hash(template: Any) -> str | None:
    """`metadata._generator.templateHash` when the template carries a decimal one."""
    if not isinstance(template, Mapping):
        return None
    metadata = template.get("metadata")
    generator = metadata.get("_generator") if isinstance(metadata, Mapping) else None
    value = generator.get("templateHash") if isinstance(generator, Mapping) else None
    if isinstance(value, str) and value.isdigit():
        return value
    return None


def template_hash(template: Any) -> str:
    """The decimal template hash (see the module docstring)."""
    echoed = generator_hash(template)
    if echoed is not None:
        return echoed
    canonical = json.dumps(template, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return str(int.from_bytes(digest[:8], "big"))
