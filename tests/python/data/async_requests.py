"""A simulator that asks mosaik for the progress, for a source's data and for the entity graph,
and sets an input of the source, in its step, the way mosaik's in-process simulators do: by
yielding the requests."""

import mosaik
import mosaik_api_v3

WATCHER_META = {
    "type": "time-based",
    "models": {"Watcher": {"public": True, "params": [], "attrs": []}},
}


class WatcherSim(mosaik_api_v3.Simulator):
    def __init__(self):
        super().__init__(WATCHER_META)
        self.seen = []

    def create(self, num, model):
        return [{"eid": f"Watcher_{i}", "type": model} for i in range(num)]

    def step(self, time, inputs, max_advance):
        progress = yield self.mosaik.get_progress()
        data = yield self.mosaik.get_data({"ExampleSim-0.Model_0": ["val"]})
        related = yield self.mosaik.get_related_entities("WatcherSim-0.Watcher_0")
        if time == 0:
            # The model's next step gets delta 2 from here.
            yield self.mosaik.set_data({"WatcherSim-0.Watcher_0": {"ExampleSim-0.Model_0": {"delta": 2}}})
        self.seen.append((time, progress, data, sorted(related)))
        return time + 1

    def finalize(self):
        for entry in self.seen:
            print(entry)


SIM_CONFIG = {
    "ExampleSim": {"python": "example_sim:ExampleSim"},
    "WatcherSim": {"python": "async_requests:WatcherSim"},
}

if __name__ == "__main__":
    world = mosaik.World(SIM_CONFIG, skip_greetings=True)
    examples = world.start("ExampleSim")
    watchers = world.start("WatcherSim")
    model = examples.ExampleModel(init_val=5)
    watcher = watchers.Watcher()
    world.connect(model, watcher, async_requests=True)
    world.run(until=3, print_progress=False)
