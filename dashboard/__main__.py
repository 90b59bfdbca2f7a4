"""Launch the dashboard with the settings in ``streamlit_config.toml``.

Streamlit reads configuration only from ``.streamlit/config.toml`` in the working
directory (or from command-line flags), so this launcher turns every setting in the
repository's ``streamlit_config.toml`` into a ``--section.key=value`` flag. It works
from any directory.

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


def config_flags(path: Path = CONFIG_PATH) -> list[str]:
    """Return ``streamlit run`` flags for every setting in a TOML config file.

    Examples
    --------
    >>> "--theme.primaryColor=#005EB8" in config_flags()
    True
    """
    settings = tomllib.loads(path.read_text())
    flags = []
    for section, values in settings.items():
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags.append(f"--{section}.{key}={text}")
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
    """Replace this process with ``streamlit run`` on the dashboard."""
    argv = command(sys.argv[1:])
    os.chdir(REPO_ROOT)
    # Each session runs its script in its own thread, and glibc gives busy threads
    # their own malloc arenas, which fragment and hold freed memory; two arenas keep
    # the server's memory close to what it really uses. An explicit value wins.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
