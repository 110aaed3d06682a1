"""A child of mas-bench's `python` part: one run of one case, its figures printed as one JSON line.

    python3 python_bench.py CASE MODE STEPS

CASE is `pair` (two in-process Python simulators of one entity, A.out -> B.in) or `chain10` (ten
simulators of 100 entities each, one to one from each to the next). MODE `mas` runs the case as
a mosaik scenario script on mas.mosaik; MODE `floor` makes the same step and get_data calls of
the same simulator objects from a plain Python loop, which is the least any orchestrator can do.
"""

import json
import sys
import time


class Trivial:
    """A time-based model: `out` is the time, `in` values are summed."""

    meta = {
        "api_version": "3.0",
        "type": "time-based",
        "models": {"M": {"public": True, "params": [], "attrs": ["in", "out"]}},
    }

    def __init__(self):
        self.eids = []
        self.total = {}
        self.time = 0

    def init(self, sid, time_resolution=1.0):
        return self.meta

    def create(self, num, model):
        new = [f"M_{i}" for i in range(len(self.eids), len(self.eids) + num)]
        self.eids.extend(new)
        return [{"eid": eid, "type": model} for eid in new]

    def step(self, time, inputs, max_advance):
        self.time = time
        for eid, attrs in inputs.items():
            self.total[eid] = sum(attrs["in"].values())
        return time + 1

    def get_data(self, outputs):
        return {eid: {"out": self.time} for eid in outputs}


CASES = {"pair": (2, 1), "chain10": (10, 100)}


def run_mas(sims, entities, steps):
    import mas.mosaik as mosaik

    start = time.perf_counter()
    world = mosaik.World({"Trivial": {"python": "python_bench:Trivial"}}, skip_greetings=True)
    groups = [world.start("Trivial").M.create(entities) for _ in range(sims)]
    for src_group, dest_group in zip(groups, groups[1:]):
        for src, dest in zip(src_group, dest_group):
            world.connect(src, dest, ("out", "in"))
    ready = time.perf_counter()
    world.run(until=steps, print_progress=False)
    end = time.perf_counter()
    return {"setup_s": ready - start, "run_s": end - ready}


def run_floor(sims, entities, steps):
    objects = [Trivial() for _ in range(sims)]
    for sim in objects:
        sim.init("x", time_resolution=1.0)
        sim.create(entities, "M")
    requests = [{eid: ["out"] for eid in sim.eids} for sim in objects]
    # (source eid, source full id, destination eid) of each connection into simulator i, made
    # before the clock starts, as an orchestrator makes them once.
    links = [[]] + [
        [(src, f"Trivial-{i - 1}.{src}", dest) for src, dest in zip(objects[i - 1].eids, objects[i].eids)]
        for i in range(1, sims)
    ]
    start = time.perf_counter()
    for t in range(steps):
        previous = None
        for i, sim in enumerate(objects):
            # mosaik's inputs, a fresh dict at every step: {eid: {attr: {source: value}}}.
            inputs = {dest: {"in": {full_id: previous[src]["out"]}} for src, full_id, dest in links[i]}
            sim.step(t, inputs, steps)
            previous = sim.get_data(requests[i]) if i + 1 < len(objects) else None
    end = time.perf_counter()
    return {"setup_s": 0.0, "run_s": end - start}


def main():
    case, mode, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sims, entities = CASES[case]
    result = (run_mas if mode == "mas" else run_floor)(sims, entities, steps)
    result["steps_per_s"] = steps / result["run_s"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
