"""Live collection over WinRM, and the PowerShell collector script, from one probe catalog."""
from __future__ import annotations

from .collector import Collection, ServerCollection, collect
from .probes import Probe, layout, load_probes
from .script import SCRIPT_NAME, generate_script
from .transport import Connection, Credentials, WinRMRunner
from .writer import bundle_members, write_bundle

__all__ = ["Collection", "ServerCollection", "collect", "Probe", "layout", "load_probes", "SCRIPT_NAME",
           "generate_script", "Connection", "Credentials", "WinRMRunner", "bundle_members", "write_bundle"]
