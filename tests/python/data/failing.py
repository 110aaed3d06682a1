"""A simulator that fails in its step at time 2; the collector still prints what it got."""

import mosaik
import mosaik_api_v3


class FailingSim(mosaik_api_v3.Simulator):
    def __init__(self):
        super().__init__({"type": "time-based", "models": {"Part": {"public": True, "params": [], "attrs": ["val"]}}})

    def create(self, num, model):
        return [{"eid": f"Part_{i}", "type": model} for i in range(num)]

    def step(self, time, inputs, max_advance):
        self.time = time
        if time == 2:
            raise ValueError("kaputt")
        return time + 1

    def get_data(self, outputs):
        return {eid: {"val": self.time} for eid in outputs}


SIM_CONFIG = {
    "Failing": {"python": "failing:FailingSim"},
    "Collector": {"python": "collector:Collector"},
}

if __name__ == "__main__":
    world = mosaik.World(SIM_CONFIG, skip_greetings=True)
    part = world.start("Failing").Part()
    monitor = world.start("Collector").Monitor()
    world.connect(part, monitor, "val")
    world.run(until=5, print_progress=False)
