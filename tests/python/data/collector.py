"""The tests' collector: keeps every input it gets and prints them all when it is finalized."""

import collections

import mosaik_api_v3

META = {
    "type": "event-based",
    "models": {"Monitor": {"public": True, "any_inputs": True, "params": [], "attrs": []}},
}


class Collector(mosaik_api_v3.Simulator):
    def __init__(self):
        super().__init__(META)
        self.eid = None
        self.data = collections.defaultdict(lambda: collections.defaultdict(dict))

    def init(self, sid, time_resolution):
        return self.meta

    def create(self, num, model):
        if num > 1 or self.eid is not None:
            raise RuntimeError("Can only create one instance of Monitor.")
        self.eid = "Monitor"
        return [{"eid": self.eid, "type": model}]

    def step(self, time, inputs, max_advance):
        for attr, values in inputs.get(self.eid, {}).items():
            for src, value in values.items():
                self.data[src][attr][time] = value
        return None

    def finalize(self):
        print("Collected data:")
        for sim, sim_data in sorted(self.data.items()):
            print(f"- {sim}:")
            for attr, values in sorted(sim_data.items()):
                print(f"  - {attr}: {values}")


if __name__ == "__main__":
    mosaik_api_v3.start_simulation(Collector())
