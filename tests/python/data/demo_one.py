"""Shaped like mosaik's tutorial demo_1: an in-process ExampleSim, a collector process."""

import sys

import mosaik
import mosaik.util

SIM_CONFIG = {
    "ExampleSim": {"python": "example_sim:ExampleSim"},
    "Collector": {"cmd": "%(python)s collector.py %(addr)s"},
}
if "--cpp" in sys.argv:
    SIM_CONFIG["ExampleSim"] = {"cpp": "example-sim"}
END = 10

world = mosaik.World(SIM_CONFIG)
examplesim = world.start("ExampleSim", eid_prefix="Model_")
collector = world.start("Collector")

model = examplesim.ExampleModel(init_val=2)
monitor = collector.Monitor()
world.connect(model, monitor, "val", "delta")

more_models = examplesim.ExampleModel.create(2, init_val=3)
mosaik.util.connect_many_to_one(world, more_models, monitor, "val", "delta")

world.run(until=END)
