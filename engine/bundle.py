"""Open a bundle (folder, .zip, .tar.gz) read-only and list its files, safely.

Bundles come from customers and tickets, so an archive is treated as hostile: no member is ever
written to disk, absolute paths, `..`, links and devices are refused, and member sizes and
compression ratios are capped so a zip bomb costs an error line instead of the machine.
A folder is never modified either: files are only opened for reading.
"""
from __future__ import annotations

import calendar
import os
import stat
import tarfile
import zipfile
from zlib import error as zlib_error
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from .errors import ArtifactError, BundleError

MAX_MEMBER_BYTES = 1 << 30          # 1 GiB per file (a large .evtx is a few hundred MB)
MAX_TOTAL_BYTES = 4 << 30           # 4 GiB per bundle
MAX_RATIO = 200                     # uncompressed / compressed, for members over 1 MiB
MAX_MEMBERS = 20000
_RATIO_FLOOR = 1 << 20
ZIP_SUFFIXES = (".zip",)
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar")


@dataclass(frozen=True)
class BundleFile:
    """A regular file of the bundle: bundle-relative POSIX path and a way to read its bytes."""

    path: str
    size: int
    reader: Callable[[], bytes] = field(compare=False, repr=False)
    mtime: float | None = field(default=None, compare=False)  # seconds since 1970, as the folder or
                                                              # archive records it (capture checks)
    local_path: str | None = field(default=None, compare=False, repr=False)  # the file on disk, for a
                                                              # folder bundle: big logs are streamed from it


@dataclass
class Bundle:
    """The files of one bundle, with paths relative to its root (wrapper folder stripped)."""

    location: str
    files: list[BundleFile]
    skipped: list[ArtifactError] = field(default_factory=list)

    def get(self, path: str) -> BundleFile | None:
        for item in self.files:
            if item.path.lower() == path.lower():
                return item
        return None

    def server_folders(self) -> list[str]:
        return sorted({f.path.split("/", 1)[0] for f in self.files if "/" in f.path})


def open_bundle(path: str | os.PathLike) -> Bundle:
    """Return the Bundle at `path`; raise BundleError if it cannot be read at all."""
    location = str(path)
    target = Path(path)
    if not target.exists():
        raise BundleError(location, "does not exist (expected a bundle folder, .zip or .tar.gz)")
    if target.is_dir():
        bundle = _open_folder(target, location)
    elif zipfile.is_zipfile(target):
        bundle = _open_zip(target, location)
    elif _is_tar(target):
        bundle = _open_tar(target, location)
    elif target.name.lower().endswith(ZIP_SUFFIXES):
        raise BundleError(location, "is not a readable zip archive (truncated or damaged?)")
    elif target.name.lower().endswith(TAR_SUFFIXES):
        raise BundleError(location, "is not a readable tar archive (truncated or damaged?)")
    else:
        raise BundleError(location, "is not a folder, .zip or .tar.gz bundle")
    bundle.files = _strip_wrapper(bundle.files)
    bundle.files.sort(key=lambda f: f.path)
    return bundle


def looks_like_archive(path: str | os.PathLike) -> bool:
    """True for a file open_bundle takes as an archive, by content or by name: a damaged
    `g2.zip` is still a bundle that cannot be read, not a loose file of unknown kind."""
    target = Path(path)
    return target.name.lower().endswith(ZIP_SUFFIXES + TAR_SUFFIXES) or zipfile.is_zipfile(target) \
        or _is_tar(target)


def _is_tar(target: Path) -> bool:
    try:
        return tarfile.is_tarfile(target)
    except OSError:
        return False


def _open_folder(root: Path, location: str) -> Bundle:
    files: list[BundleFile] = []
    skipped: list[ArtifactError] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in list(dirnames):
            if (Path(dirpath) / name).is_symlink():
                rel = (Path(dirpath) / name).relative_to(root).as_posix()
                skipped.append(ArtifactError(rel, "is a symbolic link to a folder; links are not followed"))
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            try:
                info = full.lstat()
            except OSError as exc:
                skipped.append(ArtifactError(rel, f"cannot be read: {exc.strerror}"))
                continue
            if stat.S_ISLNK(info.st_mode):
                skipped.append(ArtifactError(rel, "is a symbolic link; links are not followed"))
                continue
            if not stat.S_ISREG(info.st_mode):
                skipped.append(ArtifactError(rel, "is not a regular file (a pipe or device?); skipped"))
                continue
            if info.st_size > MAX_MEMBER_BYTES:
                skipped.append(ArtifactError(rel, f"is larger than {MAX_MEMBER_BYTES >> 20} MiB; skipped"))
                continue
            files.append(BundleFile(rel, info.st_size, _file_reader(full, rel), info.st_mtime, str(full)))
        if len(files) > MAX_MEMBERS:
            raise BundleError(location, f"has more than {MAX_MEMBERS} files")
    return Bundle(location, files, skipped)


def _file_reader(full: Path, rel: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with open(full, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise ArtifactError(rel, f"cannot be read: {exc.strerror}") from None
    return read


def _safe_member_path(name: str, location: str) -> str | None:
    """Return a clean relative POSIX path, or None when the member must be refused."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(cleaned).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def _open_zip(target: Path, location: str) -> Bundle:
    try:
        archive = zipfile.ZipFile(target)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BundleError(location, f"is not a readable zip archive ({exc})") from None
    if len(infos) > MAX_MEMBERS:
        raise BundleError(location, f"has more than {MAX_MEMBERS} members")
    files: list[BundleFile] = []
    skipped: list[ArtifactError] = []
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        rel = _safe_member_path(info.filename, location)
        if rel is None:
            skipped.append(ArtifactError(info.filename, "has an absolute or '..' path; refused"))
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            skipped.append(ArtifactError(rel, "is a symbolic link; refused"))
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            skipped.append(ArtifactError(rel, f"is larger than {MAX_MEMBER_BYTES >> 20} MiB; skipped"))
            continue
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            skipped.append(ArtifactError(rel, f"compresses more than {MAX_RATIO}:1 (a zip bomb?); skipped"))
            continue
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise BundleError(location, f"unpacks to more than {MAX_TOTAL_BYTES >> 30} GiB")
        files.append(BundleFile(rel, info.file_size, _zip_reader(archive, info, rel), _zip_time(info)))
    return Bundle(location, files, skipped)


def _zip_time(info: zipfile.ZipInfo) -> float | None:
    """A zip member's time (local time of the zipping machine; only ever compared with its siblings)."""
    try:
        return calendar.timegm(info.date_time + (0, 0, 0))
    except (ValueError, OverflowError):
        return None


def _zip_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo, rel: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with archive.open(info) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
            raise ArtifactError(rel, f"cannot be read from the zip archive ({exc})") from None
        except NotImplementedError as exc:
            raise ArtifactError(rel, f"uses an unsupported zip feature ({exc})") from None
        if len(data) > MAX_MEMBER_BYTES:
            raise ArtifactError(rel, "unpacks to more than its declared size; refused")
        return data
    return read


def _open_tar(target: Path, location: str) -> Bundle:
    try:
        archive = tarfile.open(target, "r:*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BundleError(location, f"is not a readable tar archive ({exc})") from None
    files: list[BundleFile] = []
    skipped: list[ArtifactError] = []
    members: list[tarfile.TarInfo] = []
    try:
        for member in archive:  # one by one, so a truncated archive still yields its first members
            members.append(member)
            if len(members) > MAX_MEMBERS:
                raise BundleError(location, f"has more than {MAX_MEMBERS} members")
    except (tarfile.TarError, OSError, EOFError, zlib_error) as exc:
        if not members:
            raise BundleError(location, f"is not a readable tar archive ({exc})") from None
        skipped.append(ArtifactError(Path(location).name, f"is damaged after {len(members)} members "
                                                         f"({exc}); the rest of it is lost"))
    total = 0
    compressed = max(target.stat().st_size, 1)
    for member in members:
        if member.isdir():
            continue
        rel = _safe_member_path(member.name, location)
        if rel is None:
            skipped.append(ArtifactError(member.name, "has an absolute or '..' path; refused"))
            continue
        if not member.isfile():
            skipped.append(ArtifactError(rel, "is a link or device, not a regular file; refused"))
            continue
        if member.size > MAX_MEMBER_BYTES:
            skipped.append(ArtifactError(rel, f"is larger than {MAX_MEMBER_BYTES >> 20} MiB; skipped"))
            continue
        total += member.size
        if total > MAX_TOTAL_BYTES or (total > _RATIO_FLOOR and total > MAX_RATIO * compressed):
            raise BundleError(location, "unpacks to far more than its compressed size (a tar bomb?)")
        files.append(BundleFile(rel, member.size, _tar_reader(archive, member, rel), float(member.mtime)))
    return Bundle(location, files, skipped)


def _tar_reader(archive: tarfile.TarFile, member: tarfile.TarInfo, rel: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            handle = archive.extractfile(member)
            if handle is None:
                raise ArtifactError(rel, "is not a regular file")
            return handle.read(MAX_MEMBER_BYTES)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ArtifactError(rel, f"cannot be read from the tar archive ({exc})") from None
    return read


def _strip_wrapper(files: list[BundleFile]) -> list[BundleFile]:
    """Drop one leading folder when the whole bundle was zipped from its parent directory.

    `bundle/manifest.json` and `bundle/dhcp-a/failover.json` become `manifest.json` and
    `dhcp-a/failover.json`; but a lone server folder (`dhcp-a/failover.json`) is kept as it is.
    """
    from .parsers import recognise  # local: parsers import nothing from here

    while files:
        tops = {f.path.split("/", 1)[0] for f in files}
        if len(tops) != 1 or any("/" not in f.path for f in files):
            return files
        top = next(iter(tops))
        inner = [f.path.split("/", 1)[1] for f in files]
        has_manifest = any(p.lower() == "manifest.json" for p in inner)
        direct_artifacts = any("/" not in p and recognise(p) is not None for p in inner)
        if direct_artifacts and not has_manifest:
            return files
        files = [BundleFile(f.path[len(top) + 1:], f.size, f.reader, f.mtime, f.local_path) for f in files]
    return files
