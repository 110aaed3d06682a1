"""python3 -m mas.mosaik SCRIPT [ARGS...]: runs a mosaik scenario script on libmas.

The script runs as under ``python3 SCRIPT`` (its directory first on sys.path, ``__name__`` is
``"__main__"``, its exit status is the program's), except that ``import mosaik`` (and
``mosaik.util``, ``mosaik.scenario``, ``mosaik.exceptions``) resolve to ``mas.mosaik``.
"""

import os
import runpy
import sys

USAGE = """usage: python3 -m mas.mosaik SCRIPT [ARGS...]

Runs the mosaik scenario script SCRIPT with ARGS on libmas' orchestrator: `import mosaik` in it
(and in the Python simulators it starts in process) resolves to mas.mosaik."""


def install_aliases():
    """Makes ``mosaik`` and its submodules resolve to mas.mosaik's."""
    import mas.mosaik
    import mas.mosaik.exceptions
    import mas.mosaik.scenario
    import mas.mosaik.util

    sys.modules["mosaik"] = mas.mosaik
    sys.modules["mosaik.scenario"] = mas.mosaik.scenario
    sys.modules["mosaik.util"] = mas.mosaik.util
    sys.modules["mosaik.exceptions"] = mas.mosaik.exceptions


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    script = argv[0]
    if not os.path.isfile(script):
        print(f"mas.mosaik: error: cannot open script {script!r}: no such file", file=sys.stderr)
        return 2
    install_aliases()
    sys.argv = argv
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
