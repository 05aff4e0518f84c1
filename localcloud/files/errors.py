"""Azure Files errors: a status, an `x-ms-error-code` and an XML `<Error>` body.

Raise `FileError` anywhere below `FileService.handle`; the service turns it into the response
the real service would send. Bad input never becomes a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass
class FileError(Exception):  # not frozen: raising sets __traceback__ on it
    status: int
    code: str
    message: str
    detail: str | None = None  # <AuthenticationErrorDetail> for signature mismatches
    headers: tuple[tuple[str, str], ...] = ()  # e.g. WWW-Authenticate on a 401

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.code}: {self.message}")


def error_xml(error: FileError, request_id: str, time: str) -> bytes:
    """The `<Error>` body; the message ends with RequestId and Time lines, as Azure's do."""
    message = f"{error.message}\nRequestId:{request_id}\nTime:{time}"
    detail = ""
    if error.detail is not None:
        detail = f"<AuthenticationErrorDetail>{escape(error.detail)}</AuthenticationErrorDetail>"
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<Error><Code>{escape(error.code)}</Code><Message>{escape(message)}</Message>"
        f"{detail}</Error>"
    ).encode()


def share_not_found() -> FileError:
    return FileError(404, "ShareNotFound", "The specified share does not exist.")


def resource_not_found() -> FileError:
    return FileError(404, "ResourceNotFound", "The specified resource does not exist.")


def parent_not_found() -> FileError:
    return FileError(404, "ParentNotFound", "The specified parent path does not exist.")


def already_exists() -> FileError:
    return FileError(409, "ResourceAlreadyExists", "The specified resource already exists.")


def type_mismatch() -> FileError:
    return FileError(
        409,
        "ResourceTypeMismatch",
        "The specified resource type does not match the type of the existing resource.",
    )


def invalid_name(why: str) -> FileError:
    return FileError(400, "InvalidResourceName", f"The specified resource name is invalid: {why}")


def invalid_header(name: str, why: str) -> FileError:
    return FileError(400, "InvalidHeaderValue", f"The value for header {name} is invalid: {why}")


def missing_header(name: str) -> FileError:
    return FileError(400, "MissingRequiredHeader", f"A required header is missing: {name}")


def invalid_query(name: str, why: str) -> FileError:
    return FileError(
        400, "InvalidQueryParameterValue", f"The value for query parameter {name} is invalid: {why}"
    )


def invalid_range(why: str) -> FileError:
    return FileError(416, "InvalidRange", f"The range specified is invalid: {why}")
