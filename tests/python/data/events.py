"""An event-based simulator that schedules its own next steps with set_event, as a real-time
mosaik simulator does; it prints the times it stepped at when it is finalized."""

import mosaik
import mosaik_api_v3


class Alarm(mosaik_api_v3.Simulator):
    def __init__(self):
        super().__init__({"type": "event-based", "models": {"Clock": {"public": True, "params": [], "attrs": []}}})
        self.times = []

    def create(self, num, model):
        return [{"eid": f"Clock_{i}", "type": model} for i in range(num)]

    def step(self, time, inputs, max_advance):
        self.times.append(time)
        yield self.mosaik.set_event(time + 2)
        return None

    def finalize(self):
        print("stepped at", self.times)


if __name__ == "__main__":
    world = mosaik.World({"Alarm": {"python": "events:Alarm"}}, skip_greetings=True)
    world.start("Alarm").Clock()
    world.set_initial_event("Alarm-0")
    world.run(until=7, rt_factor=0.001, print_progress=False)
