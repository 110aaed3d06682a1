"""Shaped like mosaik's tutorial demo_2: models and controller agents in a group, joined by weak
connections (same-time loops), all watched by a collector."""

import sys

import mosaik
import mosaik.util

SIM_CONFIG = {
    "ExampleSim": {"python": "example_sim:ExampleSim"},
    "ExampleCtrl": {"python": "controller:Controller"},
    "Collector": {"cmd": "%(python)s collector.py %(addr)s"},
}
if "--in-process-collector" in sys.argv:
    SIM_CONFIG["Collector"] = {"python": "collector:Collector"}
END = 10

world = mosaik.World(SIM_CONFIG)
with world.group():
    examplesim = world.start("ExampleSim", eid_prefix="Model_")
    examplectrl = world.start("ExampleCtrl")
collector = world.start("Collector")

models = [examplesim.ExampleModel(init_val=i) for i in range(-2, 3, 2)]
agents = examplectrl.Agent.create(len(models))
monitor = collector.Monitor()

for model, agent in zip(models, agents):
    world.connect(model, agent, ("val", "val_in"))
    world.connect(agent, model, "delta", weak=True)

mosaik.util.connect_many_to_one(world, models, monitor, "val", "delta")
mosaik.util.connect_many_to_one(world, agents, monitor, "delta")

world.run(until=END)
