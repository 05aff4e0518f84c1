"""CIDR functions: parseCidr, cidrSubnet, cidrHost (IPv4 and IPv6).

Results as the ARM function reference states them (template-functions-cidr.md in
MicrosoftDocs/azure-docs): `parseCidr('10.144.0.0/20')` has network, netmask, broadcast,
firstUsable, lastUsable and cidr (IPv6: no broadcast, and the first usable address is the
network's own); `cidrHost` counts usable hosts from the address after the network's.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.registry import FunctionTable, expect, pure

FUNCTIONS: FunctionTable = {}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(function: str, value: Any) -> Network:
    text = expect(function, value, str)
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise TemplateError(
            f"Unable to evaluate template language function '{function}': '{text}' is not a "
            "valid IP address range in CIDR notation."
        ) from exc


@pure(FUNCTIONS, "parseCidr", 1)
def parse_cidr(value: Any) -> dict[str, Any]:
    net = _network("parseCidr", value)
    if net.version == 6:
        return {
            "network": str(net.network_address),
            "netmask": str(net.netmask),
            "firstUsable": str(net.network_address),
            "lastUsable": str(net.broadcast_address),
            "cidr": net.prefixlen,
        }
    small = net.prefixlen >= 31  # no network/broadcast addresses to set aside
    return {
        "network": str(net.network_address),
        "netmask": str(net.netmask),
        "broadcast": str(net.broadcast_address),
        "firstUsable": str(net.network_address + (0 if small else 1)),
        "lastUsable": str(net.broadcast_address - (0 if small else 1)),
        "cidr": net.prefixlen,
    }


@pure(FUNCTIONS, "cidrSubnet", 3)
def cidr_subnet(value: Any, new_cidr: Any, index: Any) -> str:
    net = _network("cidrSubnet", value)
    expect("cidrSubnet", new_cidr, int, 2)
    expect("cidrSubnet", index, int, 3)
    if not net.prefixlen <= new_cidr <= net.max_prefixlen:
        raise TemplateError(
            f"Unable to evaluate template language function 'cidrSubnet': the new CIDR "
            f"'{new_cidr}' must be between '{net.prefixlen}' and '{net.max_prefixlen}'."
        )
    count = 2 ** (new_cidr - net.prefixlen)
    if not 0 <= index < count:
        raise TemplateError(
            f"Unable to evaluate template language function 'cidrSubnet': the subnet index "
            f"'{index}' must be between '0' and '{count - 1}'."
        )
    size = 2 ** (net.max_prefixlen - new_cidr)
    return f"{net.network_address + index * size}/{new_cidr}"


@pure(FUNCTIONS, "cidrHost", 2)
def cidr_host(value: Any, index: Any) -> str:
    net = _network("cidrHost", value)
    expect("cidrHost", index, int, 2)
    reserved = 1 if net.version == 6 or net.prefixlen >= 31 else 2
    usable = net.num_addresses - reserved
    if not 0 <= index < usable:
        raise TemplateError(
            f"Unable to evaluate template language function 'cidrHost': the host index "
            f"'{index}' must be between '0' and '{usable - 1}'."
        )
    return str(net.network_address + 1 + index)
