"""Run one PowerShell script on one server over WinRM (pywinrm), within a deadline.

pywinrm's `Session.run_ps` waits for ever on a hung command; here each run opens a shell, runs
`powershell -EncodedCommand`, polls Receive until the command is done or the probe's deadline
passes (then signals terminate), and closes the shell. Every failure becomes a ProbeFailure with
a kind the collector acts on (a refused login stops everything, an unreachable host stops that
host, anything else costs one artifact) and a message that never contains the credentials.
"""
from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field

import requests
import winrm
import winrm.transport as winrm_transport
from defusedxml import ElementTree
from winrm.exceptions import (InvalidCredentialsError, WinRMError, WinRMOperationTimeoutError,
                              WinRMTransportError)

from ..errors import UsageError
from . import TRANSPORTS

# transport -> (pywinrm's flag that its optional library imported, what to install)
_MISSING_SUPPORT = {"ntlm": ("HAVE_NTLM", "requests-ntlm"), "kerberos": ("HAVE_KERBEROS", "pywinrm[kerberos]"),
                    "credssp": ("HAVE_CREDSSP", "pywinrm[credssp]")}
DEFAULT_PORTS = {False: 5985, True: 5986}
_PREAMBLE = ("$ErrorActionPreference = 'Stop'\n$ProgressPreference = 'SilentlyContinue'\n"
             "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8\n")


@dataclass(frozen=True)
class Credentials:
    """A user name and password; the password never shows in repr, logs or messages."""

    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Connection:
    """How to reach servers: transport, TLS, port, and optional name -> address overrides.

    `addresses` maps a server name to `host` or `host:port` for port forwards, jump hosts or a
    test emulator; the bundle still names the server as given.
    """

    transport: str = "ntlm"
    ssl: bool = False
    port: int | None = None
    verify: bool = True
    ca_trust_path: str | None = None
    addresses: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"{self.transport} over {'https' if self.ssl else 'http'}"

    def endpoint(self, server: str) -> str:
        host, port = server, self.port or DEFAULT_PORTS[self.ssl]
        for name, address in self.addresses:
            if name.lower() == server.lower():
                host, _, written = address.partition(":")
                if written:
                    port = int(written)
        return f"{'https' if self.ssl else 'http'}://{host}:{port}/wsman"


@dataclass(frozen=True)
class Output:
    stdout: bytes
    stderr: str
    exit_code: int


# What a web server that is not WS-Management answers a POST to /wsman: not found (IIS, nginx),
# method not allowed, not implemented (Python's http.server).
_NOT_WSMAN = (404, 405, 501)


class ProbeFailure(Exception):
    """One run failed. kind: auth | unreachable | not_winrm | timeout | dropped | error."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        self.message = message
        super().__init__(message)


class WinRMRunner:
    """Runs scripts on one server; one WinRM shell per script, so runs can go in parallel."""

    def __init__(self, server: str, connection: Connection, credentials: Credentials):
        if connection.transport not in TRANSPORTS:
            raise UsageError(f"unknown transport {connection.transport!r} (expected one of {', '.join(TRANSPORTS)})")
        needed = _MISSING_SUPPORT.get(connection.transport)
        if needed is not None and not getattr(winrm_transport, needed[0]):
            raise UsageError(f"--transport {connection.transport} needs an extra package on this machine: "
                             f"pip install '{needed[1]}'")
        if connection.transport == "basic" and not connection.ssl:
            raise UsageError("basic authentication sends the password in clear text; use it only with --ssl")
        self.server = server
        self.connection = connection
        self.credentials = credentials
        self.endpoint = connection.endpoint(server)

    def run(self, script: str, timeout_s: float) -> Output:
        """Run `script` in Windows PowerShell; raise ProbeFailure if it cannot be run to the end."""
        deadline = time.monotonic() + timeout_s
        protocol = self._protocol(timeout_s)
        encoded = base64.b64encode((_PREAMBLE + script).encode("utf-16-le")).decode("ascii")
        shell_id = None
        try:
            shell_id = protocol.open_shell()
            command_id = protocol.run_command(
                shell_id, f"powershell -NoProfile -NonInteractive -EncodedCommand {encoded}")
            stdout, stderr, exit_code = self._receive(protocol, shell_id, command_id, deadline, timeout_s)
            protocol.cleanup_command(shell_id, command_id)
        except ProbeFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - every transport failure becomes one line
            raise self._failure(exc, timeout_s) from None
        finally:
            if shell_id is not None:
                self._close(protocol, shell_id)
        return Output(stdout, _clean_clixml(stderr), exit_code)

    def _protocol(self, timeout_s: float) -> winrm.Protocol:
        read_timeout = max(2, int(timeout_s) + 1)
        return winrm.Protocol(
            self.endpoint, transport=self.connection.transport,
            username=self.credentials.user, password=self.credentials.password,
            server_cert_validation="validate" if self.connection.verify else "ignore",
            ca_trust_path=self.connection.ca_trust_path, proxy=None,  # no guessing from the environment
            read_timeout_sec=read_timeout, operation_timeout_sec=max(1, min(20, read_timeout - 1)))

    def _receive(self, protocol, shell_id, command_id, deadline, timeout_s) -> tuple[bytes, bytes, int]:
        stdout, stderr = [], []
        while True:
            if time.monotonic() > deadline:
                _suppress(protocol.cleanup_command, shell_id, command_id)
                raise ProbeFailure("timeout", f"{self.server}: no answer within {timeout_s:g} s (timed out)")
            try:
                out, err, code, done = protocol.get_command_output_raw(shell_id, command_id)
            except WinRMOperationTimeoutError:
                continue
            stdout.append(out)
            stderr.append(err)
            if done:
                return b"".join(stdout), b"".join(stderr), code

    def _failure(self, exc: Exception, timeout_s: float) -> ProbeFailure:
        where = f"{self.server} ({self.connection.describe()})"
        if isinstance(exc, InvalidCredentialsError):
            return ProbeFailure("auth", f"authentication failed for {self.server} ({self.connection.describe()})")
        if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError)):
            reason = ("TLS handshake failed: its certificate is not trusted here (give the CA that issued it "
                      "with --ca-trust-path)" if isinstance(exc, requests.exceptions.SSLError)
                      else "connection timed out")
            return ProbeFailure("unreachable", f"WinRM could not reach {where} at {self.endpoint}: {reason}")
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return ProbeFailure("timeout", f"{where}: no answer within {timeout_s:g} s (timed out)")
        if isinstance(exc, requests.exceptions.ChunkedEncodingError) or _dropped(exc):
            return ProbeFailure("dropped", f"{where}: the connection was dropped in the middle of the command")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return ProbeFailure("unreachable", f"WinRM could not reach {where} at {self.endpoint}: connection refused "
                                               "or host unreachable")
        if isinstance(exc, WinRMTransportError) and exc.code in _NOT_WSMAN:  # a web server, not WS-Management
            return ProbeFailure("not_winrm", f"{where}: {self.endpoint} is not a WinRM endpoint (HTTP {exc.code}; "
                                             "wrong port or address, or WinRM not listening there?)")
        if isinstance(exc, WinRMTransportError):
            return ProbeFailure("error", f"{where}: WinRM answered HTTP {exc.code}")
        if isinstance(exc, WinRMError):
            return ProbeFailure("error", f"{where}: {' '.join(str(exc).split())[:300]}")
        return ProbeFailure("error", f"{where}: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}")

    @staticmethod
    def _close(protocol, shell_id) -> None:
        _suppress(protocol.close_shell, shell_id)


def _dropped(exc: Exception) -> bool:
    text = str(exc)
    return isinstance(exc, requests.exceptions.ConnectionError) and (
        "RemoteDisconnected" in text or "Connection aborted" in text or "reset by peer" in text)


def _suppress(call, *args) -> None:
    """Best-effort cleanup: the result is already decided, a failing cleanup changes nothing."""
    try:
        call(*args)
    except Exception:  # noqa: BLE001
        return


def _clean_clixml(stderr: bytes) -> str:
    """Windows PowerShell writes errors to a remote stderr as CLIXML; keep the readable lines."""
    text = stderr.decode("utf-8", errors="replace")
    if not text.startswith("#< CLIXML"):
        return " ".join(text.split())
    try:
        root = ElementTree.fromstring(text.split("\n", 1)[1] if "\n" in text else "")
    except Exception:  # noqa: BLE001 - not CLIXML after all
        return " ".join(text.split())
    lines = [node.text.replace("_x000D__x000A_", " ") for node in root.iter()
             if node.tag.endswith("}S") and node.get("S") == "Error" and node.text]
    return " ".join(" ".join(lines).split())
