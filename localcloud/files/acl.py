"""Get / Set Share ACL bodies: `<SignedIdentifiers>` <-> stored access policies (pure)."""

from __future__ import annotations

from xml.etree import ElementTree
from xml.sax.saxutils import escape

from localcloud.files.errors import FileError
from localcloud.files.shareprops import AccessPolicy

MAX_POLICIES = 5
_FIELDS = (("Start", "start"), ("Expiry", "expiry"), ("Permission", "permission"))


def parse(body: bytes) -> tuple[AccessPolicy, ...]:
    """The policies of a Set Share ACL body (an empty body clears them); 400 when malformed."""
    if not body.strip():
        return ()
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise _invalid(f"the body is not XML: {error}") from error
    if root.tag != "SignedIdentifiers":
        raise _invalid("the root element must be SignedIdentifiers")
    policies = tuple(_policy(item) for item in root.findall("SignedIdentifier"))
    if len(policies) > MAX_POLICIES:
        raise _invalid(f"at most {MAX_POLICIES} signed identifiers are allowed")
    return policies


def render(policies: tuple[AccessPolicy, ...]) -> str:
    items = []
    for policy in policies:
        fields = "".join(
            f"<{tag}>{escape(value)}</{tag}>"
            for tag, attr in _FIELDS
            if (value := getattr(policy, attr)) is not None
        )
        items.append(
            f"<SignedIdentifier><Id>{escape(policy.id)}</Id>"
            f"<AccessPolicy>{fields}</AccessPolicy></SignedIdentifier>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<SignedIdentifiers>{''.join(items)}</SignedIdentifiers>"
    )


def _policy(item: ElementTree.Element) -> AccessPolicy:
    identifier = (item.findtext("Id") or "").strip()
    if not identifier or len(identifier) > 64:
        raise _invalid("each signed identifier needs an Id of at most 64 characters")
    access = item.find("AccessPolicy")
    values = {attr: None if access is None else access.findtext(tag) for tag, attr in _FIELDS}
    return AccessPolicy(identifier, **values)


def _invalid(why: str) -> FileError:
    return FileError(400, "InvalidXmlDocument", f"XML specified is not syntactically valid: {why}")
