"""Getting a dataset onto this machine, safely.

Every file is fetched into a temporary folder inside the data dir, checked against the checksum
torchvision / scikit-learn know for it, then the dataset's own loader must load the folder; only then
are the files moved into place (os.replace: each appears whole or not at all). A failed, truncated or
refused download removes the temporary folder and raises one sentence naming the file, the URL and why.
Mirrors: see sources.py ($SIAMESE_LAB_MIRROR points every file at one base URL).
"""
from __future__ import annotations

import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from . import omniglot
from .att_faces import olivetti_cache_from_mat
from .base import file_digest, md5_matches, resolve_data_dir
from .registry import DATASETS, get_spec
from .sources import (
    OLIVETTI_MAT,
    SOURCES,
    RemoteFile,
    download_bytes,
    urls_for,
    write_omniglot_index,
)

Progress = Callable[[str, float], None]  # (what is happening, fraction done 0..1)

CHUNK = 64 * 1024
REPORT_EVERY = 16 * CHUNK  # progress about once per MB
TIMEOUT_S = 30             # per connection attempt and per read
USER_AGENT = "siamese-lab (python urllib)"
RUNS_ZIP = "omniglot/official/all_runs.zip"
INDEX_CSV = "omniglot/omniglot_character_index.csv"


class DownloadError(RuntimeError):
    """One sentence: what could not be fetched, from where, why; nothing was left in the data dir."""


class _Failed(Exception):
    """A reason, completed into a DownloadError sentence by download_dataset."""


def _intact(path: Path, file: RemoteFile) -> bool:
    """The file is there and its checksum is the one the library knows."""
    if not path.is_file():
        return False
    if file.md5 and not md5_matches(path, file.md5):
        return False
    return not file.sha256 or file_digest(path, "sha256") in file.sha256


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return f"no connection ({err.reason})"
    if isinstance(err, http.client.IncompleteRead):
        return f"the connection ended after {len(err.partial):,} bytes"
    return str(err) or type(err).__name__


def _fetch(url: str, dest: Path, file: RemoteFile, report: Callable[[int], None]) -> None:
    """Stream `url` into `dest` and check it; raises with a short reason."""
    limit = 2 * file.size + 2**20  # bounded work: no server may send much more than the file should be
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response, open(dest, "wb") as out:
        length = response.headers.get("Content-Length", "")
        done, last = 0, 0
        while chunk := response.read(CHUNK):
            done += len(chunk)
            if done > limit:
                raise _Failed(f"it sent more than {limit:,} bytes for a file of about {file.size:,}")
            out.write(chunk)
            if done - last >= REPORT_EVERY:
                report(done)
                last = done
    report(done)
    if length.isdigit() and done != int(length):
        raise _Failed(f"the connection ended after {done:,} of {int(length):,} bytes")
    if not _intact(dest, file):
        kind = "md5" if file.md5 else "sha256"
        raise _Failed(f"its {kind} does not match ({done:,} bytes received, about {file.size:,} expected)")


def _fetch_any(file: RemoteFile, dest: Path, title: str, report: Callable[[int], None]) -> None:
    """Try each URL of the file in turn; all failing → one reason listing each URL."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tried = []
    for url in urls_for(file):
        try:
            _fetch(url, dest, file, report)
            return
        except (OSError, http.client.HTTPException, _Failed) as err:
            tried.append(f"{url} failed: {_reason(err)}")
            dest.unlink(missing_ok=True)
    raise _Failed(f"Could not download {title} file {file.name}: " + "; ".join(tried))


def _finish(name: str, tmp: Path) -> list[str]:
    """Make what the loader reads from what was fetched; the paths to move, the one that completes
    the dataset (what check_exists looks for) last."""
    if name == "omniglot":  # the npz arrays need the character index, rebuilt from sources.py's table
        write_omniglot_index(tmp / INDEX_CSV)
        return [f.path for f in SOURCES[name]] + [INDEX_CSV]
    if name == "olivetti":  # scikit-learn's cache, written as scikit-learn writes it; the .mat is dropped
        pkz = olivetti_cache_from_mat(tmp / OLIVETTI_MAT, tmp)
        return [str(pkz.relative_to(tmp))]
    return [f.path for f in SOURCES[name]]


def _forget(folder: Path) -> None:
    """Drop Omniglot's in-memory copies of a temporary folder's data (MNIST's arrays are named after the files'
    md5, which the final folder's files share)."""
    prefix = str(folder.resolve())
    for key in [k for k in omniglot._CACHE if k[0].startswith(prefix)]:
        del omniglot._CACHE[key]


def _check_loads(name: str, folder: Path) -> None:
    spec = get_spec(name)
    try:
        for split in spec.splits:
            spec.loader(folder, split, False)
        if name == "omniglot":
            omniglot.load_official_runs(folder)
    except Exception as err:  # whatever the loader trips on, the files are not usable
        raise _Failed(f"The downloaded {spec.title} files do not load ({err})") from err
    finally:
        _forget(folder)


def _needs_download(name: str, root: Path) -> bool:
    spec = get_spec(name)
    if not all(spec.check_exists(root, split) for split in spec.splits):
        return True
    if name == "omniglot" and not (root / RUNS_ZIP).is_file():
        return True
    # A kept file that is there but corrupt is as good as missing: the download replaces it.
    # (Olivetti's .mat is only an input: scikit-learn's cache made from it is what stays.)
    return any((root / f.path).is_file() and not _intact(root / f.path, f)
               for f in SOURCES[name] if f.path != OLIVETTI_MAT)


def _no_download(name: str, data_dir: str | os.PathLike | None = None) -> str:
    spec, root = get_spec(name), str(resolve_data_dir(data_dir))
    how = spec.how_to_get.removeprefix("There is no download: ").replace("<data dir>", root)
    return f"There is no download for {spec.title}: {how}"


def download_dataset(name: str, data_dir: str | os.PathLike | None = None, progress: Progress | None = None) -> None:
    """Fetch dataset `name` into the data dir (needs internet, or $SIAMESE_LAB_MIRROR), verified, or
    raise DownloadError with nothing left behind. Files already there and intact are not fetched again."""
    spec = get_spec(name)
    tell = progress or (lambda text, fraction: None)
    if spec.download_bytes is None:
        raise DownloadError(_no_download(name, data_dir))
    if name not in SOURCES:
        tell(f"{spec.title}: nothing to download, it ships with the software.", 1.0)
        return
    root = resolve_data_dir(data_dir)
    if not _needs_download(name, root):
        tell(f"{spec.title} is already in {root}.", 1.0)
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".download-{name}-", dir=root))
    except OSError as err:
        raise DownloadError(f"Cannot write into the data folder {root} ({err.strerror or err}).") from err
    try:
        total, before = download_bytes(name), 0
        for file in SOURCES[name]:
            dest = tmp / file.path
            if _intact(root / file.path, file):  # already here: copy it in so the loader sees the whole set
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / file.path, dest)
            else:
                def report(done: int, file=file, before=before) -> None:
                    tell(f"{spec.title}: {file.name} {done / 1e6:.1f} of {file.size / 1e6:.1f} MB",
                         min(0.99, (before + done) / total))
                _fetch_any(file, dest, spec.title, report)
            before += file.size
        tell(f"{spec.title}: checking that it loads", 0.99)
        outputs = _finish(name, tmp)
        _check_loads(name, tmp)
        for rel in outputs:  # all verified: now into place, each file whole (os.replace is atomic)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, root / rel)
    except _Failed as err:
        raise DownloadError(f"{err}; nothing was written to {root}.") from err
    except OSError as err:  # disk full, permissions: whatever was fetched goes with the temporary folder
        raise DownloadError(f"Could not save {spec.title} into {root} ({err.strerror or err}).") from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tell(f"{spec.title}: done ({download_bytes(name) / 1e6:.1f} MB).", 1.0)


def download_all(data_dir: str | os.PathLike | None = None, progress: Progress | None = None) -> list[str]:
    """Every downloadable dataset; those without a download are skipped with a note (returned, and
    told through `progress`). Failures do not stop the others; they are raised together at the end."""
    tell = progress or (lambda text, fraction: None)
    notes, failures = [], []
    for k, name in enumerate(DATASETS):
        def step(text: str, fraction: float, k=k) -> None:
            tell(text, (k + fraction) / len(DATASETS))
        if DATASETS[name].download_bytes is None:
            notes.append(f"Skipped {DATASETS[name].title}: {_no_download(name, data_dir)}")
            step(notes[-1], 1.0)
            continue
        try:
            download_dataset(name, data_dir, step)
        except DownloadError as err:
            failures.append(str(err))
    if failures:
        raise DownloadError(" ".join(failures))
    return notes
