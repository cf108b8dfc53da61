"""Open a bundle (folder, .zip, .tar.gz) read-only and list its files, safely.

Bundles come from customers and tickets, so an archive is treated as hostile: no member is ever
written to disk, absolute paths, `..`, links and devices are refused, and member sizes and
compression ratios are capped so a zip bomb costs an error line instead of the machine.
A folder is never modified either: files are only opened for reading.
"""
from __future__ import annotations

import calendar
import io
import os
import re
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
    # Archives that were damaged partway (a truncated .tar.gz): name -> what was kept; the servers
    # whose folders are missing may have been lost with the rest of the archive.
    truncated: dict[str, str] = field(default_factory=dict)
    # The manifest.json of each input when several bundles were merged (paths name their input);
    # empty for one bundle, whose manifest.json is one of its files.
    manifests: list[BundleFile] = field(default_factory=list)

    def manifest_files(self) -> list[BundleFile]:
        """The manifests to read: one per merged input, or the bundle's own manifest.json."""
        if self.manifests:
            return list(self.manifests)
        own = self.get("manifest.json")
        return [own] if own is not None else []

    def get(self, path: str) -> BundleFile | None:
        for item in self.files:
            if item.path.lower() == path.lower():
                return item
        return None

    def server_folders(self) -> list[str]:
        return sorted({f.path.split("/", 1)[0] for f in self.files if "/" in f.path})


def open_bundle(path: str | os.PathLike) -> Bundle:
    """Return the Bundle at `path`; raise BundleError if it cannot be read at all.

    Archives at the top of the bundle (a folder holding the collector script's zips, or a zip of
    them) are opened too and merged in, one level deep, as `open_bundles` merges its inputs.
    """
    return _with_nested(_open_one(path), str(path))


def open_bundles(paths: list[str | os.PathLike] | tuple) -> Bundle:
    """Several bundles (folders or archives, each with one or more server folders) as one.

    A path that does not exist, or that is the only input and cannot be read at all, is a
    BundleError; of several inputs, one that cannot be read is one problem line and the others
    are analysed. Two inputs holding the same server folder are a BundleError naming both.
    """
    paths = list(paths)
    if len(paths) == 1:
        return open_bundle(paths[0])
    seen: dict[str, str] = {}
    for path in paths:
        if not Path(path).exists():
            raise BundleError(str(path), "does not exist (expected a bundle folder, .zip or .tar.gz)")
        key = os.path.realpath(path)
        if key in seen:  # the same input twice would read as a pair of one server
            raise BundleError(str(path), f"is given twice (also as {seen[key]}); give each partner's bundle once")
        seen[key] = str(path)
    parts: list[tuple[str, Bundle]] = []
    unreadable: list[BundleError] = []
    for path in paths:
        try:
            parts.extend(_parts(open_bundle(path), str(path)))
        except BundleError as exc:
            if "does not exist" in exc.message:
                raise
            unreadable.append(exc)
    if not parts:
        raise unreadable[0]
    merged = _merge(parts, " + ".join(str(p) for p in paths))
    merged.skipped[:0] = [ArtifactError(Path(exc.path).name, exc.message + "; the other bundles were read")
                          for exc in unreadable]
    return merged


def _open_one(path: str | os.PathLike) -> Bundle:
    location = str(path)
    target = Path(path)
    if not target.exists():
        raise BundleError(location, "does not exist (expected a bundle folder, .zip or .tar.gz)")
    if target.is_dir():
        bundle = _open_folder(target, location)
    elif zipfile.is_zipfile(target):
        bundle = _open_zip(target, location)
    elif _is_tar(target):
        bundle = _open_tar(target, location, target.stat().st_size)
    elif target.name.lower().endswith(ZIP_SUFFIXES):
        raise BundleError(location, _UNREADABLE_ZIP)
    elif target.name.lower().endswith(TAR_SUFFIXES):
        raise BundleError(location, _UNREADABLE_TAR)
    else:
        raise BundleError(location, "is not a folder, .zip or .tar.gz bundle")
    return _sorted_without_wrapper(bundle)


def _open_bytes(data: bytes, location: str) -> Bundle:
    """An archive held in memory (a member of a folder or of another archive): never written to
    disk, read with the same limits as an archive file."""
    name = location.lower()
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _sorted_without_wrapper(_open_zip(io.BytesIO(data), location))
    if _is_tar_bytes(data):
        return _sorted_without_wrapper(_open_tar(io.BytesIO(data), location, len(data)))
    raise BundleError(location, _UNREADABLE_ZIP if name.endswith(ZIP_SUFFIXES) else _UNREADABLE_TAR)


_UNREADABLE_ZIP = "is not a readable zip archive (truncated or damaged?)"
_UNREADABLE_TAR = "is not a readable tar archive (truncated or damaged?)"


def _sorted_without_wrapper(bundle: Bundle) -> Bundle:
    """The same member list whatever the archive's order or a single wrapper folder around it."""
    bundle.files = _strip_wrapper(bundle.files)
    bundle.files.sort(key=lambda f: f.path)
    return bundle


def _is_tar_bytes(data: bytes) -> bool:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            archive.next()
        return True
    except (tarfile.TarError, OSError, EOFError, zlib_error):
        return data[:2] == b"\x1f\x8b"  # a gzip cut short is still a (damaged) tar.gz


def _is_archive_entry(item: BundleFile) -> bool:
    """A file at the top of a bundle that is itself a bundle archive: by name, or (in a folder,
    where a look at its first bytes is cheap) by the zip or gzip signature."""
    if item.path.lower().endswith(ZIP_SUFFIXES + TAR_SUFFIXES):
        return True
    if item.local_path is None:
        return False
    try:
        with open(item.local_path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    return head.startswith(b"PK\x03\x04") or head.startswith(b"\x1f\x8b")


def _archive_entries(bundle: Bundle) -> list[BundleFile]:
    return [f for f in bundle.files if "/" not in f.path and _is_archive_entry(f)]


def _with_nested(bundle: Bundle, label: str) -> Bundle:
    """`bundle` with the archives at its top opened and merged in (one level of nesting)."""
    if not _archive_entries(bundle):
        return bundle
    return _merge(_parts(bundle, label), label)


def _parts(bundle: Bundle, label: str) -> list[tuple[str, Bundle]]:
    """The bundles `bundle` holds: itself (without its archives, when anything else is left) and
    each archive at its top, opened in memory. Archives inside those are not opened."""
    nested = _archive_entries(bundle)
    if not nested:
        return [(label, bundle)]
    rest = Bundle(bundle.location, [f for f in bundle.files if f not in nested], list(bundle.skipped),
                  dict(bundle.truncated))
    parts: list[tuple[str, Bundle]] = []
    for item in nested:
        # named as problem lines name files: relative to what the user gave, never an absolute path
        where = item.path if Path(label).is_dir() else f"{Path(label).name}:{item.path}"
        shown = str(Path(label) / item.path) if Path(label).is_dir() else f"{label}:{item.path}"  # in errors
        try:
            data = item.reader()
            inner = _open_bytes(data, where)
        except ArtifactError as exc:
            rest.skipped.append(exc)
            continue
        except BundleError as exc:
            rest.skipped.append(ArtifactError(item.path, exc.message))
            continue
        for deeper in _archive_entries(inner):
            inner.files.remove(deeper)
            inner.skipped.append(ArtifactError(f"{where}:{deeper.path}", "is an archive inside an archive "
                                               "inside the bundle; only one level is opened: unpack it"))
        parts.append((shown, inner))
    if rest.files or rest.skipped or not parts:
        parts.insert(0, (label, rest))
    return parts


def _merge(parts: list[tuple[str, Bundle]], location: str) -> Bundle:
    """One bundle of several: their server folders side by side (a folder in two of them is an
    error naming both), their manifests kept apart (each names its input), loose files at the top
    kept once."""
    from .parsers import recognise  # local: parsers import nothing from here

    files: list[BundleFile] = []
    skipped: list[ArtifactError] = []
    truncated: dict[str, str] = {}
    manifests: list[BundleFile] = []
    owner: dict[str, str] = {}   # server folder (lower case) -> the input that holds it
    tops: dict[str, str] = {}    # loose file at the top (lower case) -> the input that holds it
    total = 0
    for label, part in parts:
        name = Path(label.split(":")[-1]).name if ":" in label else Path(label).name
        for folder in part.server_folders():
            first = owner.get(folder.lower())
            if first is not None and first != label:
                raise BundleError(f"{first} and {label}", f"both hold the server folder {folder!r}; "
                                  "give each server's outputs once (keep the newer collection)")
            owner[folder.lower()] = label
        skipped.extend(part.skipped)
        truncated.update(part.truncated)
        manifests.extend(part.manifests)
        for item in part.files:
            if "/" not in item.path:
                if item.path.lower() == "manifest.json":
                    manifests.append(BundleFile(f"{name}/manifest.json", item.size, item.reader, item.mtime,
                                                item.local_path))
                    continue
                first = tops.get(item.path.lower())
                if first is not None:
                    if recognise(item.path) is not None or not _IGNORED_TOP.search(item.path):
                        skipped.append(ArtifactError(f"{name}/{item.path}", f"has the name of a file at the "
                                                     f"top of {first}, which was read instead; not read"))
                    continue
                tops[item.path.lower()] = label
            total += item.size
            if total > MAX_TOTAL_BYTES:
                raise BundleError(location, f"unpacks to more than {MAX_TOTAL_BYTES >> 30} GiB")
            files.append(item)
    files.sort(key=lambda f: f.path)
    return Bundle(location, files, skipped, truncated, manifests)


_IGNORED_TOP = re.compile(r"^(readme(\.\w+)?|\.ds_store|thumbs\.db|desktop\.ini)$", re.I)


def looks_like_archive(path: str | os.PathLike) -> bool:
    """True for a file open_bundle takes as an archive, by content or by name: a damaged
    `g2.zip` is still a bundle that cannot be read, not a loose file of unknown kind."""
    target = Path(path)
    return target.name.lower().endswith(ZIP_SUFFIXES + TAR_SUFFIXES) or zipfile.is_zipfile(target) \
        or _is_tar(target)


def _is_tar(target: Path) -> bool:
    try:
        return tarfile.is_tarfile(target)
    except (OSError, EOFError, zlib_error):  # a .tar.gz cut off inside its first block
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


def _open_zip(target: Path | io.BytesIO, location: str) -> Bundle:
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


def _open_tar(target: Path | io.BytesIO, location: str, compressed_size: int) -> Bundle:
    try:
        archive = tarfile.open(target, "r:*") if isinstance(target, Path) else \
            tarfile.open(fileobj=target, mode="r:*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BundleError(location, f"is not a readable tar archive ({exc})") from None
    files: list[BundleFile] = []
    skipped: list[ArtifactError] = []
    truncated: dict[str, str] = {}
    members: list[tarfile.TarInfo] = []
    try:
        for member in archive:  # one by one, so a truncated archive still yields its first members
            members.append(member)
            if len(members) > MAX_MEMBERS:
                raise BundleError(location, f"has more than {MAX_MEMBERS} members")
    except (tarfile.TarError, OSError, EOFError, zlib_error) as exc:
        if not members:
            raise BundleError(location, f"is not a readable tar archive ({exc})") from None
        name = _archive_name(location)
        truncated[name] = f"only its first {len(members)} members could be read"
        skipped.append(ArtifactError(name, f"is damaged after {len(members)} members "
                                           f"({exc}); the rest of it is lost"))
    total = 0
    compressed = max(compressed_size, 1)
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
    return Bundle(location, files, skipped, truncated)


def _archive_name(location: str) -> str:
    """How problem lines name an archive: its file name (a member of a folder or archive: the
    member's path after the outer archive)."""
    return location.split(":", 1)[1] if ":" in location and not Path(location).exists() else Path(location).name


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
