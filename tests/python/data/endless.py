"""A long run for Ctrl-C: prints "running" once it has stepped a while, then runs on."""

import sys

import mosaik
import mosaik_api_v3


class Ticker(mosaik_api_v3.Simulator):
    def __init__(self):
        super().__init__({"type": "time-based", "models": {"Tick": {"public": True, "params": [], "attrs": ["n"]}}})

    def create(self, num, model):
        return [{"eid": f"Tick_{i}", "type": model} for i in range(num)]

    def step(self, time, inputs, max_advance):
        self.time = time
        if time == 1000:
            print("running", flush=True)
        return time + 1

    def get_data(self, outputs):
        return {eid: {"n": self.time} for eid in outputs}

    def finalize(self):
        print(f"finalized {type(self).__name__}", flush=True)


class Sink(Ticker):
    def __init__(self):
        mosaik_api_v3.Simulator.__init__(self, {"type": "event-based",
                                                "models": {"Tick": {"public": True, "params": [], "attrs": ["n"]}}})

    def step(self, time, inputs, max_advance):
        self.time = time
        return None


SIM_CONFIG = {
    "Ticker": {"python": "endless:Ticker"},
    "Sink": {"python": "endless:Sink"},
}

if __name__ == "__main__":
    world = mosaik.World(SIM_CONFIG, skip_greetings=True)
    tick = world.start("Ticker").Tick()
    sink = world.start("Sink").Tick()
    world.connect(tick, sink, "n")
    world.run(until=10**12, print_progress=False)
    sys.exit(3)
