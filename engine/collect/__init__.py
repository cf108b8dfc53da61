"""Live collection over WinRM, and the PowerShell collector script, from one probe catalog."""
from __future__ import annotations

# Submodules are imported where they are used: `fodoc diagnose` must not pay for pywinrm,
# requests and the NTLM/TLS stack just because the collect commands are registered.
# transports (pywinrm's names) and the default number of servers probed at once, for the CLI
TRANSPORTS = ("ntlm", "kerberos", "credssp", "basic")
DEFAULT_JOBS = 8
