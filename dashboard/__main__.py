"""Launch the dashboard with the settings in ``streamlit_config.toml``.

``streamlit_config.toml`` is the one source of the dashboard's settings. Streamlit
reads configuration only from ``.streamlit/config.toml`` in the working directory (or
from command-line flags), so

* ``.streamlit/config.toml`` is a committed symbolic link to it, for the launch every
  Streamlit user tries first (``streamlit run dashboard/app.py`` from the repository
  root) and for hosts that read that file, and so is ``dashboard/.streamlit/config.toml``
  (Streamlit also reads the folder next to the script: the same launch from anywhere);
* this launcher turns every setting into a ``--section.key=value`` flag, so it works
  from any directory;
* the router checks at start-up that the settings in force are these
  (:func:`differing_settings`) and says so when they are not.

Usage::

    python -m dashboard [--server.port 8502 ...]
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_PATH = REPO_ROOT / "streamlit_config.toml"
APP_PATH = Path(__file__).resolve().parent / "app.py"
STATIC_DIR = APP_PATH.parent / "static"
#: Settings a deployment may change without anything going wrong (see the README).
OVERRIDABLE = frozenset({"server.port", "server.address", "server.headless"})


def settings(path: Path = CONFIG_PATH) -> dict[str, object]:
    """Every setting in a TOML config file, as ``{"section.key": value}``.

    Examples
    --------
    >>> settings()["server.enableStaticServing"]
    True
    """
    parsed = tomllib.loads(path.read_text())
    return {
        f"{section}.{key}": value
        for section, values in parsed.items()
        for key, value in values.items()
    }


def differing_settings(get_option, path: Path = CONFIG_PATH) -> list[str]:
    """Settings in force (read with ``get_option``) that differ from the config file.

    Settings in :data:`OVERRIDABLE` (the port...) may differ and are not listed.

    Examples
    --------
    >>> in_force = dict(settings(), **{"theme.primaryColor": "#FF4B4B", "server.port": 80})
    >>> differing_settings(in_force.get)
    ["theme.primaryColor is '#FF4B4B', not '#005EB8'"]
    """
    out = []
    for key, expected in settings(path).items():
        if key in OVERRIDABLE:
            continue
        actual = get_option(key)
        if actual != expected:
            out.append(f"{key} is {actual!r}, not {expected!r}")
    return out


def config_flags(path: Path = CONFIG_PATH) -> list[str]:
    """Return ``streamlit run`` flags for every setting in a TOML config file.

    Examples
    --------
    >>> "--theme.primaryColor=#005EB8" in config_flags()
    True
    """
    flags = []
    for key, value in settings(path).items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        flags.append(f"--{key}={text}")
    return flags


def command(extra: list[str] | None = None) -> list[str]:
    """The full command line that launches the dashboard."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        *config_flags(),
        *(extra or []),
    ]


def main() -> None:
    """Replace this process with ``streamlit run`` on the dashboard.

    ``dashboard/app.py`` is an ``st.App`` (the router behind compressed static files), so
    this and a plain ``streamlit run dashboard/app.py`` serve the same way.
    """
    argv = command(sys.argv[1:])
    os.chdir(REPO_ROOT)
    # Streamlit looks for the static folder when it starts, and warns if it is missing.
    STATIC_DIR.mkdir(exist_ok=True)
    # Each session runs its script in its own thread, and glibc gives busy threads
    # their own malloc arenas, which fragment and hold freed memory; two arenas keep
    # the server's memory close to what it really uses. An explicit value wins.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    # Arrow's jemalloc pool keeps freed memory; the system allocator returns it.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    # Big freed blocks go back to the system (see dashboard.serve.tune_allocators).
    os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(128 * 1024))
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
