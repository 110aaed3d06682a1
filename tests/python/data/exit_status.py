"""Prints how it was run and exits with its first argument."""

import sys

import mosaik
import mosaik.util

print(__name__, mosaik.__name__, mosaik.util.__name__, sys.argv)
sys.exit(int(sys.argv[1]))
