"""Shared helpers: read files from a repository at a pinned commit, write JSON Lines."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

CACHE = Path.home() / ".cache" / "networked-councillor" / "repos"


class Repo:
    """One GitHub repository, read with `git show <commit>:<path>` so no work tree is needed.

    Without mirrors the repository is cloned blob-less into CACHE and blobs are fetched on demand;
    with mirrors an existing bare snapshot (<mirrors>/<owner>+<name>/repo) is read instead.
    """

    def __init__(self, slug: str, mirrors: Path | None = None):
        self.slug = slug
        self.work_tree: Path | None = None
        self.notes: list[str] = []
        self.git_dir = self._mirror_dir(mirrors) if mirrors else self._clone()

    def _mirror_dir(self, mirrors: Path) -> Path:
        base = mirrors / self.slug.replace("/", "+")
        for cand in (base / "repo" / ".git", base / "repo", base):
            if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
                return cand
        raise FileNotFoundError(f"no git snapshot of {self.slug} under {mirrors}")

    def _clone(self) -> Path:
        dest = CACHE / self.slug.replace("/", "+")
        if not (dest / ".git").is_dir():
            dest.parent.mkdir(parents=True, exist_ok=True)
            url = f"https://github.com/{self.slug}"
            subprocess.run(["git", "clone", "--quiet", "--filter=blob:none", url, str(dest)], check=True)
        self.work_tree = dest
        return dest / ".git"

    def git(self, *args: str) -> bytes:
        return subprocess.run(["git", "--git-dir", str(self.git_dir), *args], capture_output=True, check=True).stdout

    def has(self, commit: str) -> bool:
        try:
            self.git("cat-file", "-e", f"{commit}^{{commit}}")
            return True
        except subprocess.CalledProcessError:
            return False

    def checkout(self, commit: str) -> None:
        """Put a clone at the pinned commit; a snapshot is only checked to contain it."""
        if self.work_tree is None:
            if not self.has(commit):
                self.notes.append(f"{self.slug}: commit {commit} not in the snapshot; reading its HEAD")
            return
        if not self.has(commit):
            self.git("fetch", "--quiet", "origin", commit)
        subprocess.run(["git", "-C", str(self.work_tree), "checkout", "--quiet", commit], check=True)

    def show(self, commit: str, path: str) -> bytes:
        """File content at the commit; a snapshot lacking the commit is read at its HEAD (and says so)."""
        if self.work_tree is None and not self.has(commit):
            self.notes.append(f"{self.slug}: {path} read from snapshot HEAD (no {commit[:12]})")
            commit = "HEAD"
        return self.git("show", f"{commit}:{path}")

    def text(self, commit: str, path: str) -> str:
        return self.show(commit, path).decode("utf8")

    def ls(self, commit: str, prefix: str) -> list[str]:
        out = self.git("ls-tree", "-r", "--name-only", "-z", commit, "--", prefix).decode("utf8")
        return [p for p in out.split("\0") if p]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def load_map(name: str) -> dict[str, str]:
    """Category -> topic table kept next to the code as maps/<name>.json."""
    return json.loads((Path(__file__).parent / "maps" / f"{name}.json").read_text(encoding="utf8"))
