"""Emulated DHCP pairs for the collection tests: bundles to serve, TLS, credentials, the CLI."""
from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest
from engine.cli import main

from .emulator import self_signed_tls

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bundles"
USER = "CONTOSO\\svc-dhcpdiag7"
PASSWORD = "S3cret-Pa55!"
A, B = "dhcp-a.contoso.com", "dhcp-b.contoso.com"

# The emulated faults, each served from the example bundle that shows it: case -> (folder of
# dhcp-a, folder of dhcp-b, the cause `fodoc why` must name first).
FAULTS = {
    "healthy": ("healthy/dhcp-a.contoso.com", "healthy/dhcp-b.contoso.com", None),
    "port_647_blocked": ("port_647_blocked/DHCP-A", "port_647_blocked/DHCP-B", "port_647_blocked"),
    "clock_skew": ("clock_skew/dhcp-a.contoso.com", "clock_skew/dhcp-b.contoso.com", "clock_skew"),
    "partner_service_stopped": ("partner_service_stopped/dhcp-a.contoso.com",
                                "partner_service_stopped/dhcp-b.contoso.com", "partner_service_stopped"),
    "relationship_corrupt": ("relationship_corrupt/dhcp-a.contoso.com", "relationship_corrupt/dhcp-b.contoso.com",
                             "relationship_corrupt"),
}


def served(case: str) -> tuple[Path, Path]:
    """The two server folders an emulated pair of `case` answers from."""
    folder_a, folder_b, _ = FAULTS[case]
    return EXAMPLES / folder_a, EXAMPLES / folder_b


@pytest.fixture(scope="session")
def tls(tmp_path_factory) -> tuple[ssl.SSLContext, Path]:
    """A self-signed certificate for 127.0.0.1: the server's TLS context and the CA file to trust."""
    return self_signed_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def credentials(monkeypatch):
    """The account the emulators accept, handed to fodoc through the environment."""
    monkeypatch.setenv("FODOC_USER", USER)
    monkeypatch.setenv("FODOC_PASSWORD", PASSWORD)


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (an unreachable WinRM host)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err
