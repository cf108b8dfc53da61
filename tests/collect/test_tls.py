"""Certificate checking on `fodoc collect --ssl`: an untrusted certificate is refused in one line,
`--no-verify` collects with a warning, and the account reaches no output on either path."""
from __future__ import annotations

import contextlib
import json
import zipfile

from .conftest import A, B, PASSWORD, USER, run, served
from .emulator import EmulatedServer, Emulator


@contextlib.contextmanager
def pair_without_ca(tls):
    """Both servers over HTTPS, and the fodoc options that reach them without trusting their CA."""
    context, _ = tls
    folder_a, folder_b = served("healthy")
    with Emulator(EmulatedServer(folder_a), context) as server_a, \
            Emulator(EmulatedServer(folder_b), context) as server_b:
        yield ["--transport", "basic", "--ssl",
               "--address", f"{A}=127.0.0.1:{server_a.port}", "--address", f"{B}=127.0.0.1:{server_b.port}"]


def _no_account_in(*texts: str) -> None:
    for secret in (PASSWORD, USER, USER.split("\\")[1]):
        assert not any(secret in text for text in texts), secret


def test_an_untrusted_certificate_is_one_line_exit_3_and_nothing_written(tls, credentials, tmp_path, capsys):
    out = tmp_path / "bundle.zip"
    with pair_without_ca(tls) as options:
        code, stdout, stderr = run(capsys, "collect", "--server", A, *options, "--out", str(out))
    assert code == 3
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"fodoc: error: WinRM could not reach {A} (basic over https) at https://127.0.0.1:")
    assert ("TLS handshake failed: its certificate is not trusted here (give the CA that issued it with "
            "--ca-trust-path); nothing collected") in lines[0]
    assert list(tmp_path.iterdir()) == []
    _no_account_in(stdout, stderr)


def test_no_verify_collects_with_a_warning_and_keeps_the_account_out(tls, credentials, tmp_path, capsys):
    out = tmp_path / "bundle.zip"
    with pair_without_ca(tls) as options:
        code, stdout, stderr = run(capsys, "collect", "--server", A, *options, "--no-verify", "--out", str(out))
    assert code == 0, stderr
    assert stderr.splitlines()[0] == ("fodoc: warning: --no-verify: the servers' certificates are not checked; "
                                      "anyone on the path can read the password")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        contents = [archive.read(name) for name in names]
    assert {A, B} <= {name.split("/")[0] for name in names if "/" in name}
    for server in manifest["servers"].values():  # every server collected: no whole-server error
        assert server["collected_at"] is not None
        assert all(error["artifact"] != "*" for error in server["errors"]), server["errors"]
    _no_account_in(stdout, stderr, *(data.decode("utf-8", errors="replace") for data in contents),
                   *(data.decode("utf-16-le", errors="replace") for data in contents))


def test_no_verify_without_ssl_is_a_usage_error(credentials, capsys):
    code, stdout, stderr = run(capsys, "collect", "--server", A, "--transport", "ntlm", "--no-verify")
    assert code == 3
    assert stderr.splitlines() == ["fodoc: error: --no-verify only makes sense with --ssl"]


def test_the_account_is_not_in_the_errors_of_a_refused_or_unreachable_collection(tls, credentials, monkeypatch,
                                                                                 tmp_path, capsys):
    # Refused: a wrong password (the right one must not be echoed, nor the wrong one, nor the user).
    monkeypatch.setenv("FODOC_PASSWORD", "Wr0ng-Pa55!")
    with pair_without_ca(tls) as options:
        refused = run(capsys, "collect", "--server", A, *options, "--no-verify", "--out", str(tmp_path / "r.zip"))
    assert refused[0] == 3
    assert "Wr0ng-Pa55!" not in refused[1] + refused[2]
    _no_account_in(refused[1], refused[2])
