"""Two simulators in a loop: A.val -> B.delta at the same time, B.val -> A.val one step later,
with initial data for A's first step."""

import mosaik
import mosaik.util

SIM_CONFIG = {
    "ExampleSim": {"python": "example_sim:ExampleSim"},
    "Collector": {"python": "collector:Collector"},
}

world = mosaik.World(SIM_CONFIG, skip_greetings=True)
a = world.start("ExampleSim", eid_prefix="A")
b = world.start("ExampleSim", eid_prefix="B")
collector = world.start("Collector")
model_a = a.ExampleModel(init_val=0)
model_b = b.ExampleModel(init_val=0)
monitor = collector.Monitor()
world.connect(model_a, model_b, ("val", "delta"))
world.connect(model_b, model_a, "val", time_shifted=True, initial_data={"val": 10})
mosaik.util.connect_many_to_one(world, [model_a, model_b], monitor, "val")
world.run(until=4, print_progress=False)
