"""One webhook delivery attempt: the address check after DNS resolution, the signature, the POST.

SSRF: every address the host resolves to must be public (not loopback, private, link-local,
multicast, reserved or unspecified) unless the host is in ``LABINTAKE_WEBHOOK_ALLOW_HOSTS``,
and the request then goes to the address that was checked (the URL carries the IP; ``Host``
and TLS's SNI and certificate check keep the name), so a second DNS answer cannot redirect
it. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from labintake.domain.notifications import DeliveryError

SIGNATURE_HEADER = "X-LabIntake-Signature"
TIMESTAMP_HEADER = "X-LabIntake-Timestamp"
DELIVERY_HEADER = "X-LabIntake-Delivery"  # the same on every retry: receivers can drop repeats


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str  # as written (lower case), for Host, SNI and the allow-list
    port: int
    ips: tuple[str, ...]  # the checked addresses, tried in order; the connection goes to one of them


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">``, the value of ``X-LabIntake-Signature``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def refused(ip: str) -> bool:
    """Loopback, private, link-local, multicast, reserved, shared or unspecified: not for webhooks."""
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return not addr.is_global or addr.is_multicast or addr.is_reserved


def parse_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; ValueError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("The webhook URL must be an http:// or https:// address with a host.")
    if parts.username or parts.password:
        raise ValueError("The webhook URL may not carry a user name or password; use the secret.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ValueError("The webhook URL's port is not valid.") from exc
    return parts.scheme, parts.hostname.lower(), port


def resolve(url: str, allow_hosts: tuple[str, ...]) -> Target:
    """The address to connect to, after checking every address the host resolves to."""
    try:
        scheme, host, port = parse_url(url)
    except ValueError as exc:
        raise DeliveryError("address_refused", permanent=True) from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DeliveryError("unresolvable_host") from exc
    ips = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not ips:
        raise DeliveryError("unresolvable_host")
    allowed = host in {h.lower() for h in allow_hosts}
    if not allowed and any(refused(ip) for ip in ips):
        raise DeliveryError("address_refused", permanent=True)
    return Target(scheme, host, port, tuple(ips))


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """The certificates a delivery trusts: the public CAs (httpx's, from certifi), plus ``ca_file``'s (PEM) when
    set, for a receiver whose certificate a private CA issued (``LABINTAKE_WEBHOOK_CA_FILE``)."""
    context = httpx.create_ssl_context(trust_env=False)
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


def pinned_post(url: str, body: bytes, headers: dict[str, str], *, allow_hosts: tuple[str, ...],
                ca_file: Path | None = None, timeout: float = 10.0) -> httpx.Response:
    """POST ``body`` to ``url`` at an address ``resolve`` checked (the one way webhooks and push
    deliveries leave this process); ``DeliveryError`` when no checked address answers."""
    target = resolve(url, allow_hosts)
    parts = urlsplit(url)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    headers = {**headers, "Host": host_header}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    verify = tls_context(ca_file) if target.scheme == "https" else True
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, verify=verify) as client:
        for ip in target.ips:  # e.g. ::1 then 127.0.0.1: the next checked address if one refuses
            ip_host = f"[{ip}]" if ":" in ip else ip
            pinned = urlunsplit((target.scheme, f"{ip_host}:{target.port}", parts.path or "/", parts.query, ""))
            try:
                return client.post(pinned, content=body, headers=headers, extensions=extensions)
            except httpx.ConnectError as exc:
                if isinstance(exc.__context__, ssl.SSLError) or "SSL" in str(exc):
                    raise DeliveryError("tls_failed") from exc  # the certificate is not trusted, or not this host's
                continue
            except httpx.HTTPError as exc:  # reset, timed out
                raise DeliveryError("connection_failed") from exc
    raise DeliveryError("connection_failed")


def post(url: str, secret: str, payload: dict[str, Any], *, allow_hosts: tuple[str, ...],
         ca_file: Path | None = None, delivery_id: str = "", timeout: float = 10.0) -> int:
    """One signed POST of ``payload``; the receiver's status on 2xx, else ``DeliveryError``."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": "LabIntake-Webhook/1",
               TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body),
               DELIVERY_HEADER: delivery_id}
    response = pinned_post(url, body, headers, allow_hosts=allow_hosts, ca_file=ca_file, timeout=timeout)
    if not 200 <= response.status_code < 300:
        raise DeliveryError("http_error", http_status=response.status_code)
    return response.status_code
