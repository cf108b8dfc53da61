"""A WS-Management emulator: the shell protocol pywinrm speaks, over real HTTP(S) on 127.0.0.1.

An emulated DHCP server is backed by a server folder of a bundle: every probe pywinrm sends
(`powershell -EncodedCommand <base64 UTF-16LE>`) is decoded, matched against the probe catalog,
and answered with that server's artifact from the folder, base64-encoded in Receive streams with
CommandState Done and an ExitCode, like WinRM does. A missing artifact is answered the way a real
server fails (an error record on stderr, exit code 1). Faults a real network shows are injectable
per host: a wrong password (401), a slow probe, a connection dropped in the middle of a command,
garbage output, and a fixed delay per HTTP call (for the concurrency measurement).

Nothing here touches pywinrm: the tests drive the real client over real sockets.
"""
from __future__ import annotations

import base64
import datetime
import ipaddress
import re
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from defusedxml import ElementTree

from engine.collect.probes import load_probes

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
}
ACTION = {
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create": "create",
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command": "command",
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive": "receive",
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal": "signal",
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete": "delete",
}
DONE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
RUNNING = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"
_ENCODED = re.compile(r"-EncodedCommand\s+(\S+)", re.IGNORECASE)
_PARTNER = re.compile(r"^\$Partner = '((?:[^']|'')*)'$", re.MULTILINE)
CHUNK = 32 * 1024   # stdout bytes per Receive, so big outputs take several Receive calls


@dataclass
class EmulatedServer:
    """What one emulated host answers. folder: a bundle's server folder (None: answers nothing)."""

    folder: Path | None
    user: str = "CONTOSO\\svc-dhcpdiag7"
    password: str = "S3cret-Pa55!"
    delay_s: float = 0.0                     # added to every HTTP call
    slow: dict[str, float] = field(default_factory=dict)   # artifact -> seconds Receive hangs
    drop: frozenset[str] = frozenset()       # artifacts whose Receive closes the connection
    garbage: frozenset[str] = frozenset()    # artifacts answered with junk
    dhcp_module: bool = True                 # False: the DhcpServer cmdlets do not exist
    not_winrm: bool = False                  # True: a plain web server, every POST answered 404
    calls: list[str] = field(default_factory=list)          # actions seen, for the tests
    commands: list[str] = field(default_factory=list)       # decoded scripts seen

    def answer(self, script: str) -> tuple[str, bytes, str, int]:
        """(artifact, stdout, stderr, exit code) for one decoded PowerShell script."""
        probe = next((p for p in load_probes() if p.script in script), None)
        if probe is None:
            return "?", b"", _clixml("The term is not recognized as the name of a cmdlet."), 1
        missing_cmdlet = re.search(r"\b(Get-DhcpServer\w+)", probe.script)
        if not self.dhcp_module and missing_cmdlet:
            name = missing_cmdlet.group(1)
            return probe.artifact, b"", _clixml(
                f"{name} : The term '{name}' is not recognized as the name of a cmdlet, function, script "
                "file, or operable program. Check the spelling of the name, or if a path was included, "
                "verify that the path is correct and try again."), 1
        if probe.artifact in self.garbage:
            return probe.artifact, b"\x1b[31m\xff\xfe{{{ garbage ]]\x00 not what the command prints", "", 0
        partner = _PARTNER.search(script)
        stem = probe.file_name(partner.group(1).replace("''", "'") if partner else None).rsplit(".", 1)[0]
        found = self._artifact(stem)
        if found is None and "{partner}" in probe.file:
            # the bundle names the partner as its own server did (say, by address) while this probe
            # names it as the collector found it: a server folder holds one such file per family
            found = self._artifact_like(probe.file.split("{partner}")[0], probe.file.split("{partner}")[1])
        if found is None:
            return probe.artifact, b"", _clixml(_missing_message(probe.artifact, self.folder)), 1
        return probe.artifact, found.read_bytes(), "", 0

    def _artifact(self, stem: str) -> Path | None:
        if self.folder is None:
            return None
        for fmt in ("json", "txt", "xml"):
            for candidate in self.folder.iterdir():
                if candidate.name.lower() == f"{stem}.{fmt}".lower():
                    return candidate
        return None


    def _artifact_like(self, prefix: str, suffix: str) -> Path | None:
        """The one file named prefix<anything>suffix (suffix without its extension), if exactly one."""
        if self.folder is None:
            return None
        ending = suffix.rsplit(".", 1)[0].lower()
        found = [c for c in self.folder.iterdir() if c.name.lower().startswith(prefix.lower())
                 and c.name.lower().rsplit(".", 1)[0].endswith(ending)]
        return found[0] if len(found) == 1 else None


def _missing_message(artifact: str, folder: Path | None) -> str:
    host = folder.name if folder is not None else "localhost"
    if artifact.startswith("events-"):
        log = artifact.removeprefix("events-")
        return (f"Get-WinEvent : There is not an event log on the {host} computer that matches "
                f"\"{log}\".")
    return f"{artifact}: the command failed on {host}: The RPC server is unavailable. (0x800706BA)"


def _clixml(message: str) -> str:
    return ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
            f'<S S="Error">{escape(message)}_x000D__x000A_</S></Objs>')


@dataclass
class _Command:
    artifact: str
    stdout: bytes
    stderr: str
    exit_code: int
    sent: int = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body go out as separate writes: no 40 ms stalls
    server: "_Server"

    def log_message(self, *args) -> None:  # keep test output clean
        return

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        emulated = self.server.emulated
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if emulated.delay_s:
            time.sleep(emulated.delay_s)
        if emulated.not_winrm:
            emulated.calls.append("404")
            self._send(404, b"<html><body>Not Found</body></html>", {"Content-Type": "text/html"})
            return
        expected = "Basic " + base64.b64encode(f"{emulated.user}:{emulated.password}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._send(401, b"", {"WWW-Authenticate": 'Basic realm="WSMAN"'})
            return
        if not body:
            self._send(200, b"")
            return
        root = ElementTree.fromstring(body)
        action = ACTION.get(root.findtext("s:Header/a:Action", namespaces=NS) or "", "unknown")
        message_id = root.findtext("s:Header/a:MessageID", namespaces=NS)
        emulated.calls.append(action)
        handler = getattr(self, f"_{action}", None)
        if handler is None:
            self._send(400, b"unsupported action")
            return
        result = handler(root)
        if result is None:      # connection dropped on purpose
            return
        self._send(200, _envelope(message_id, result))

    def _create(self, root) -> str:
        shell_id = str(uuid.uuid4()).upper()
        self.server.shells[shell_id] = {}
        return (f'<x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address><a:ReferenceParameters>'
                f'<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>'
                f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
                f'</a:ReferenceParameters></x:ResourceCreated>'
                f'<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId></rsp:Shell>')

    def _command(self, root) -> str:
        shell = self.server.shells[_shell_id(root)]
        line = root.findtext("s:Body/rsp:CommandLine/rsp:Command", namespaces=NS) or ""
        match = _ENCODED.search(line)
        script = base64.b64decode(match.group(1)).decode("utf-16-le") if match else line
        self.server.emulated.commands.append(script)
        command_id = str(uuid.uuid4()).upper()
        shell[command_id] = _Command(*self.server.emulated.answer(script))
        return f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"

    def _receive(self, root) -> str | None:
        shell = self.server.shells[_shell_id(root)]
        stream = root.find("s:Body/rsp:Receive/rsp:DesiredStream", NS)
        command_id = stream.get("CommandId")
        command: _Command = shell[command_id]
        emulated = self.server.emulated
        if command.artifact in emulated.drop:
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if command.artifact in emulated.slow:
            time.sleep(emulated.slow[command.artifact])
        chunk = command.stdout[command.sent:command.sent + CHUNK]
        command.sent += len(chunk)
        done = command.sent >= len(command.stdout)
        parts = [f'<rsp:Stream Name="stdout" CommandId="{command_id}">{base64.b64encode(chunk).decode()}</rsp:Stream>']
        if done:
            if command.stderr:
                err = base64.b64encode(command.stderr.encode("utf-8")).decode()
                parts.append(f'<rsp:Stream Name="stderr" CommandId="{command_id}">{err}</rsp:Stream>')
            parts.append(f'<rsp:Stream Name="stdout" CommandId="{command_id}" End="true"></rsp:Stream>')
            parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{DONE}">'
                         f'<rsp:ExitCode>{command.exit_code}</rsp:ExitCode></rsp:CommandState>')
        else:
            parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{RUNNING}"/>')
        return f"<rsp:ReceiveResponse>{''.join(parts)}</rsp:ReceiveResponse>"

    def _signal(self, root) -> str:
        return "<rsp:SignalResponse/>"

    def _delete(self, root) -> str:
        self.server.shells.pop(_shell_id(root), None)
        return ""

    def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _shell_id(root) -> str:
    return root.findtext("s:Header/w:SelectorSet/w:Selector", namespaces=NS)


def _envelope(relates_to: str | None, body: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:w="{NS["w"]}" xmlns:rsp="{NS["rsp"]}" '
            f'xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xml:lang="en-US">'
            f'<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Response</a:Action>'
            f'<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>'
            f'<a:RelatesTo>{relates_to}</a:RelatesTo></s:Header>'
            f'<s:Body>{body}</s:Body></s:Envelope>').encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, emulated: EmulatedServer, tls: ssl.SSLContext | None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.emulated = emulated
        self.shells: dict[str, dict[str, _Command]] = {}
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)


class Emulator:
    """One emulated WinRM host on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(self, emulated: EmulatedServer, tls: ssl.SSLContext | None = None):
        self.emulated = emulated
        self.server = _Server(emulated, tls)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def __enter__(self) -> "Emulator":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def self_signed_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A fresh self-signed certificate for 127.0.0.1 in `folder`: (server context, CA file for clients)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fodoc-emulator")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "emulator.pem", folder / "emulator.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
