"""The template engine's errors: one root, `TemplateError`, carrying an ARM error code."""

from __future__ import annotations


class TemplateError(Exception):
    """An ARM-style template failure.

    `code` is the ARM error code (almost always "InvalidTemplate"), `message` the text ARM
    would show, `target` the JSON path in the template where it happened (or None). `steps`
    is that path as property names and indexes, for names a dotted path cannot spell (a
    parameter named "[concat('a', 'b')]").
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "InvalidTemplate",
        target: str | None = None,
        steps: tuple[str | int, ...] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.target = target
        self.steps = steps

    def at(self, target: str) -> TemplateError:
        """This error located at `target` (kept when it already has a location)."""
        if self.target is None:
            self.target = target
        return self

    def __str__(self) -> str:
        where = f" (at {self.target})" if self.target else ""
        return f"{self.code}: {self.message}{where}"


class Unresolved(TemplateError):
    """Raised by a Resolver when a referenced resource does not exist (yet)."""

    def __init__(self, message: str, *, code: str = "ResourceNotFound", target: str | None = None):
        super().__init__(message, code=code, target=target)
