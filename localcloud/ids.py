"""Azure resource IDs: parsing and canonical formatting (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

from localcloud.arm.errors import ArmError


@dataclass(frozen=True)
class ResourceId:
    """`/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{t1}/{n1}[/{t2}/{n2}...]`."""

    subscription: str
    resource_group: str
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def full_type(self) -> str:
        return "/".join((self.namespace, *self.types))

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def group_id(self) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"

    @property
    def id(self) -> str:
        tail = "/".join(f"{t}/{n}" for t, n in zip(self.types, self.names, strict=True))
        return f"{self.group_id}/providers/{self.namespace}/{tail}"

    @property
    def key(self) -> str:
        """The store key: IDs are case-insensitive in Azure."""
        return self.id.lower()

    @property
    def parent(self) -> ResourceId | None:
        if len(self.types) == 1:
            return None
        return ResourceId(
            self.subscription, self.resource_group, self.namespace, self.types[:-1], self.names[:-1]
        )

    def child(self, type_segment: str, name: str) -> ResourceId:
        return ResourceId(
            self.subscription,
            self.resource_group,
            self.namespace,
            (*self.types, type_segment),
            (*self.names, name),
        )

    @staticmethod
    def parse(text: str) -> ResourceId:
        parts = [p for p in text.split("/") if p]
        low = [p.lower() for p in parts]
        if (
            len(parts) < 8
            or low[0] != "subscriptions"
            or low[2] != "resourcegroups"
            or low[4] != "providers"
            or (len(parts) - 6) % 2 != 0
        ):
            raise ArmError(
                400, "InvalidResourceId", f"The resource id '{text}' is not a valid resource id."
            )
        rest = parts[6:]
        return ResourceId(
            subscription=parts[1],
            resource_group=parts[3],
            namespace=parts[5],
            types=tuple(rest[0::2]),
            names=tuple(rest[1::2]),
        )


def group_id(subscription: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}"
