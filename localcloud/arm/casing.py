"""ARM's JSON casing of parameter and output names (Newtonsoft's camel-casing).

ARM serialises `properties.parameters` and `properties.outputs` of a deployment with
Newtonsoft's camel-casing, so `ACA_APP_ENDPOINT` comes back as `acA_APP_ENDPOINT`
(JamesNK/Newtonsoft.Json `Src/Newtonsoft.Json/Utilities/StringUtils.cs`, `ToCamelCase`; seen in
Azure/azure-dev's recorded deployments). Clients map the keys back case-insensitively.
"""

from __future__ import annotations


def camel_case(name: str) -> str:
    """Newtonsoft's `StringUtils.ToCamelCase`: lower the leading run of upper-case letters,
    keeping the last letter of the run when a non-upper-case character follows it."""
    if not name or not name[0].isupper():
        return name
    chars = list(name)
    for i, char in enumerate(chars):
        if i == 1 and not char.isupper():
            break
        has_next = i + 1 < len(chars)
        if i > 0 and has_next and not chars[i + 1].isupper():
            if chars[i + 1].isspace():
                chars[i] = char.lower()
            break
        chars[i] = char.lower()
    return "".join(chars)
