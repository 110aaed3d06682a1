"""mosaik.util's helpers for connecting many entities."""

import random
from collections import defaultdict


def connect_many_to_one(world, src_set, dest, *attrs, async_requests=False):
    """Connects every entity of ``src_set`` to ``dest`` with the same attributes."""
    for src in src_set:
        world.connect(src, dest, *attrs, async_requests=async_requests)


def connect_randomly(world, src_set, dest_set, *attrs, evenly=True, max_connects=float("inf")):
    """Connects each entity of ``src_set`` to a random entity of ``dest_set``.

    With ``evenly`` the destinations take turns in a shuffled order, so their connection counts
    differ by at most one; otherwise each source picks one at random, and a destination that has
    ``max_connects`` connections drops out. Uses the ``random`` module, so ``random.seed`` makes
    it repeatable (with the same picks as mosaik). Returns the set of destinations connected to.
    """
    dest_set = list(dest_set)
    assert dest_set
    if evenly:
        return _connect_evenly(world, src_set, dest_set, *attrs)
    return _connect_randomly(world, src_set, dest_set, *attrs, max_connects=max_connects)


def _connect_evenly(world, src_set, dest_set, *attrs):
    connected = set()
    pos = 0
    while pos < len(src_set):
        random.shuffle(dest_set)
        for src, dest in zip(src_set[pos:], dest_set):
            world.connect(src, dest, *attrs)
            connected.add(dest)
        pos += len(dest_set)
    return connected


def _connect_randomly(world, src_set, dest_set, *attrs, max_connects=float("inf")):
    assert len(src_set) <= len(dest_set) * max_connects
    max_i = len(dest_set) - 1
    connects = defaultdict(int)
    for src in src_set:
        dest = dest_set[random.randint(0, max_i)]
        world.connect(src, dest, *attrs)
        connects[dest] += 1
        if connects[dest] >= max_connects:
            dest_set.remove(dest)
            max_i -= 1
            assert max_i >= 0
    return set(connects)
