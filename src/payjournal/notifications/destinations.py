"""Where a webhook may go: the guard against server-side request forgery.

An endpoint's URL is typed by a master administrator, and payjournal POSTs to it from inside
the operator's network; without a guard that URL could reach the server's own services
(``127.0.0.1``), the private network behind it or a cloud metadata service
(``169.254.169.254``). So by default a webhook goes only to an ``https://`` URL whose host
resolves to public addresses only. An operator allows more by network
(``PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS``, e.g. ``127.0.0.1/32,10.0.0.0/8``); a host whose
every address is in an allowed network may also be reached over plain ``http://``.

The check runs three times: on the endpoint form (:func:`refusal_of`, a translated reason),
before each delivery (:func:`check`: DNS may have changed since), and on the connection
itself (:class:`PeerGuard`: the address the socket actually connected to, before a byte of the
request is sent, so a DNS answer that changes between the check and the connect — a rebind —
is caught too).

Exceptions: :class:`DestinationRefusedError` (its ``reason`` is short, English and holds no
secret: the delivery log's ``last_error``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx2
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AddressKind",
    "DestinationRefusedError",
    "PeerGuard",
    "Refusal",
    "allowed_networks",
    "check",
    "refusal_of",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The networks of RFC 1918 and IPv6 unique local addresses: "private" in the messages.
_PRIVATE: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
#: NAT64's well-known prefix: the last 32 bits are an IPv4 address a gateway would reach.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressKind(Enum):
    """Why an address is not public, for the message that names it."""

    LOOPBACK = "loopback"
    LINK_LOCAL = "link-local"
    PRIVATE = "private"
    RESERVED = "reserved"


class Refusal(Enum):
    """Why a URL is refused: the delivery log's short reason is the value."""

    SCHEME = "https required"
    ADDRESS = "address not allowed"
    UNRESOLVABLE = "host does not resolve"


_SCHEME_MESSAGE = _(
    "The URL must start with https://: webhooks go over plain http only to networks the "
    "operator of payjournal allows."
)
_UNRESOLVABLE_MESSAGE = _("The host %(host)s does not resolve to an address: check the URL.")
_KIND_MESSAGES: dict[AddressKind, Promise] = {
    AddressKind.LOOPBACK: _(
        "%(host)s is a loopback address (%(address)s), the server payjournal runs on."
    ),
    AddressKind.LINK_LOCAL: _(
        "%(host)s is a link-local address (%(address)s), such as a cloud metadata service."
    ),
    AddressKind.PRIVATE: _("%(host)s is an address of a private network (%(address)s)."),
    AddressKind.RESERVED: _("%(host)s is a reserved address, not a public one (%(address)s)."),
}
_ONLY_PUBLIC = _(
    "Webhooks go only to public addresses, unless the operator of payjournal allows the network."
)


class DestinationRefusedError(Exception):
    """A delivery refused before its request was sent: ``reason`` is the log's short text."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.reason = refusal.value


def allowed_networks() -> tuple[Network, ...]:
    """The networks the operator allows (``PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS``)."""
    names: Iterable[str] = settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS
    return tuple(ipaddress.ip_network(name, strict=False) for name in names)


def _embedded(address: Address) -> Address:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def kind_of(address: Address) -> AddressKind | None:
    """Why ``address`` is not public; ``None`` for a public (globally routed unicast) one."""
    inner = _embedded(address)
    if inner.is_loopback or inner.is_unspecified:  # 0.0.0.0 reaches this host too
        return AddressKind.LOOPBACK
    if inner.is_link_local:
        return AddressKind.LINK_LOCAL
    if any(inner in network for network in _PRIVATE):
        return AddressKind.PRIVATE
    if inner.is_multicast or inner.is_reserved or not inner.is_global:
        return AddressKind.RESERVED
    return None


def _is_allowed_network(address: Address, networks: Sequence[Network]) -> bool:
    return any(a in network for network in networks for a in {address, _embedded(address)})


@dataclass(frozen=True, slots=True)
class Verdict:
    """The check of one URL: ``refusal`` is ``None`` when it may be reached; ``address`` and
    ``kind`` name the first address refused."""

    host: str
    refusal: Refusal | None
    address: Address | None = None
    kind: AddressKind | None = None


def is_allowed(address: Address, scheme: str, networks: Sequence[Network]) -> bool:
    """Whether a connection to ``address`` may carry a webhook of ``scheme``."""
    if _is_allowed_network(address, networks):
        return True
    return scheme == "https" and kind_of(address) is None


def _resolve(host: str, port: int) -> list[Address]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(
        dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found)
    )


def check(url: str) -> Verdict:
    """Whether ``url`` may receive webhooks now: its scheme, then every address its host
    resolves to (a host with one private address among public ones is refused)."""
    try:
        parsed = httpx2.URL(url)
        host = parsed.raw_host.decode("ascii")
    except (httpx2.InvalidURL, UnicodeError):  # a host no client could connect to
        return Verdict(url, Refusal.UNRESOLVABLE)
    scheme = parsed.scheme
    networks = allowed_networks()
    if scheme not in ("https", "http") or (scheme == "http" and not networks):
        return Verdict(parsed.host, Refusal.SCHEME)
    addresses = _resolve(host, parsed.port or (443 if scheme == "https" else 80))
    if not addresses:
        return Verdict(parsed.host, Refusal.UNRESOLVABLE)
    for address in addresses:
        kind = kind_of(address)
        if kind is not None and not _is_allowed_network(address, networks):
            return Verdict(parsed.host, Refusal.ADDRESS, address, kind)
    if scheme == "http" and not all(_is_allowed_network(a, networks) for a in addresses):
        return Verdict(parsed.host, Refusal.SCHEME)
    return Verdict(parsed.host, None)


def refusal_of(url: str) -> list[str]:
    """Why the endpoint form refuses ``url``, in the active language (``[]``: accepted)."""
    verdict = check(url)
    if verdict.refusal is Refusal.SCHEME:
        return [str(_SCHEME_MESSAGE)]
    if verdict.refusal is Refusal.UNRESOLVABLE:
        return [str(_UNRESOLVABLE_MESSAGE) % {"host": verdict.host}]
    if verdict.refusal is Refusal.ADDRESS and verdict.kind is not None:
        named = {"host": verdict.host, "address": str(verdict.address)}
        return [str(_KIND_MESSAGES[verdict.kind]) % named, str(_ONLY_PUBLIC)]
    return []


class PeerGuard:
    """An httpx ``trace`` extension that checks the address each new connection reached, before
    the request is written: a refused peer closes the socket and raises
    :class:`DestinationRefusedError` (no byte of the request was sent)."""

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        self.networks = allowed_networks()

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        stream = info["return_value"]
        peer = stream.get_extra_info("server_addr")
        address = ipaddress.ip_address(str(peer[0]).split("%")[0]) if peer else None
        if address is None or not is_allowed(address, self.scheme, self.networks):
            stream.close()
            raise DestinationRefusedError(Refusal.ADDRESS)
