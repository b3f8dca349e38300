"""Reads files of a fetched corpus from a bare git mirror (or a plain checkout) by path.

Only the paths an evaluation names are read; nothing is copied into the repository.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPORA = REPO.parent / ".mirror"
CORPORA_ENV = "WIRESTREAM_CORPORA"


def corpora_root(given: Path | None = None) -> Path:
    """The folder that holds the mirrors: the argument, else the environment, else the default."""
    if given is not None:
        return given
    env = os.environ.get(CORPORA_ENV)
    return Path(env) if env else DEFAULT_CORPORA


class Mirror:
    """Files of one repository, from a bare git directory or from a plain folder."""

    def __init__(self, root: Path, *, git_dir: bool, revision: str = "HEAD") -> None:
        self.root = root
        self.git_dir = git_dir
        self.revision = revision

    def holding(self, path: str) -> Mirror:
        """This mirror at the newest commit that still has `path` (some repositories later
        deleted their data files; the named path is read from the last commit that had it)."""
        if not self.git_dir or self._exists(self.revision, path):
            return self
        last = self._git("rev-list", "--all", "-1", "--", path).decode().strip()
        for revision in (last, f"{last}^"):
            if last and self._exists(revision, path):
                return Mirror(self.root, git_dir=True, revision=revision)
        raise FileNotFoundError(f"{path} is in no commit of {self.root}")

    def _exists(self, revision: str, path: str) -> bool:
        done = subprocess.run(
            ["git", f"--git-dir={self.root}", "cat-file", "-e", f"{revision}:{path}"],
            capture_output=True,
        )
        return done.returncode == 0

    def list(self, folder: str) -> list[str]:
        """Paths of the files directly in `folder` (repository-relative), sorted."""
        if not self.git_dir:
            base = self.root / folder
            return sorted(f"{folder}/{p.name}" for p in base.iterdir() if p.is_file())
        out = self._git("ls-tree", "--name-only", f"{self.revision}:{folder}")
        names = [line for line in out.decode().splitlines() if line]
        return sorted(f"{folder}/{name}" for name in names)

    def read(self, path: str) -> bytes:
        return next(iter(self.read_many([path])))[1]

    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(path, bytes) for each path, in order; one git process for the lot."""
        wanted = list(paths)
        if not self.git_dir:
            for path in wanted:
                yield path, (self.root / path).read_bytes()
            return
        request = "".join(f"{self.revision}:{path}\n" for path in wanted).encode()
        out = self._git("cat-file", "--batch", stdin=request)
        pos = 0
        for path in wanted:
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].split()
            if len(header) < 3 or header[1] != b"blob":
                raise FileNotFoundError(f"{path} is not in {self.root}")
            size = int(header[2])
            start = header_end + 1
            yield path, out[start : start + size]
            pos = start + size + 1

    def _git(self, *args: str, stdin: bytes | None = None) -> bytes:
        return subprocess.run(
            ["git", f"--git-dir={self.root}", *args],
            input=stdin,
            capture_output=True,
            check=True,
        ).stdout


def locate(owner_repo: str, root: Path | None = None) -> Mirror | None:
    """The mirror of `owner/name` under the corpora folder, or None when it is not there.

    Accepts the fetch layout (`owner+name/repo` bare, or `owner+name/repo/.git`) and a plain
    checkout named `name` or `owner+name`.
    """
    base = corpora_root(root)
    owner, name = owner_repo.split("/", 1)
    fetched = base / f"{owner}+{name}" / "repo"
    for candidate in (fetched, fetched / ".git"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return Mirror(candidate, git_dir=True)
    for plain in (base / f"{owner}+{name}", base / name, fetched):
        if plain.is_dir() and not (plain / "HEAD").is_file() and any(plain.iterdir()):
            return Mirror(plain, git_dir=False)
    return None


def print_report(
    title: str,
    repository: str,
    result: Any,
    format_report: Callable[[Any], str],
    format_errors: Callable[[Any, int], str],
    errors: int,
    started: float,
) -> int:
    """The tail every corpus eval's command shares: the report (and error examples), or one
    line saying where the mirror was looked for; the exit code."""
    if result is None:
        print(
            f"{title} not found: no mirror of {repository} under the corpora folder "
            "(pass --corpora DIR or set WIRESTREAM_CORPORA)"
        )
        return 2
    print(format_report(result))
    if errors:
        print(format_errors(result, errors))
    print(f"total seconds: {time.perf_counter() - started:.1f}")
    return 0
