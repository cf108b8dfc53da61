"""Text that cmd.exe redirected (`w32tm /query /status > file`) in the console's OEM code page.

PowerShell writes UTF-16 or UTF-8, but a native command's output redirected from cmd.exe is
written in the OEM code page: 850 on German and French systems, where `Präzision` and
`réussie` become single bytes that are not valid UTF-8. Such a file is read as code page 850
(the labels fodoc matches survive it) with a note saying so, instead of being rejected.
"""
from __future__ import annotations

from ..errors import ArtifactError
from ..textio import decode
from .base import Artifact, Problems

OEM_CODEPAGE = "cp850"


def console_text(artifact: Artifact, problems: Problems) -> str:
    """The artifact's text: UTF-8/UTF-16 as textio reads it, else OEM code page 850 (noted)."""
    data = artifact.read_bytes()
    try:
        return decode(data, artifact.path)
    except ArtifactError as exc:
        if b"\x00" in data[:4096]:
            raise
        problems.add(artifact.path, f"is not UTF-8 or UTF-16 ({exc.message}); read as OEM code page 850, what "
                                    "cmd.exe redirection writes on Western European systems", note=True)
        return data.decode(OEM_CODEPAGE).replace("\r\n", "\n").replace("\r", "\n")
