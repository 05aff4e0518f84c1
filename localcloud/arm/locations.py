"""The regions localcloud offers, by name and display name (pure).

ARM names a region `eastus2`; some resource providers (Microsoft.App) answer with its display
name, `East US 2` (Azure/azure-dev recording Test_CLI_Up_Down_ContainerApp.yaml)."""

from __future__ import annotations

DISPLAY_NAMES: dict[str, str] = {
    "eastus": "East US",
    "eastus2": "East US 2",
    "westus": "West US",
    "westus2": "West US 2",
    "westus3": "West US 3",
    "centralus": "Central US",
    "northeurope": "North Europe",
    "westeurope": "West Europe",
    "swedencentral": "Sweden Central",
    "uksouth": "UK South",
    "japaneast": "Japan East",
    "australiaeast": "Australia East",
}
LOCATIONS = tuple(DISPLAY_NAMES)


def normalized(location: str) -> str:
    """`East US 2` -> `eastus2`."""
    return location.replace(" ", "").lower()


def display_name(location: str) -> str:
    """`eastus2` (or `East US 2`) -> `East US 2`; an unknown region is returned as given."""
    return DISPLAY_NAMES.get(normalized(location), location)
