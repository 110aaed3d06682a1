"""mas.mosaik's World as a scenario script uses it: starting, creating, connecting, running, and
the errors mosaik raises where it raises them."""

import contextlib
import io
import random
import unittest

import mas.mosaik as mosaik
import mas.mosaik.util
import mosaik_api_v3
from mas.mosaik import ScenarioError, SimulationError

CONFIG = {
    "ExampleSim": {"python": "example_sim:ExampleSim"},
    "CppSim": {"cpp": "example-sim"},
    "Collector": {"python": "collector:Collector"},
    "Ctrl": {"python": "controller:Controller"},
    "Extra": {"python": "test_world:ExtraSim"},
    "Values": {"python": "test_world:ValuesSim"},
    "NoColon": {"python": "example_sim.ExampleSim"},
    "NoModule": {"python": "no_such_module:Sim"},
    "NoClass": {"python": "example_sim:NoSuchSim"},
    "Nothing": {"cwd": "."},
    "NoProgram": {"cmd": "/no/such/program %(addr)s"},
    "NoServer": {"connect": "127.0.0.1:1"},
}


class ExtraSim(mosaik_api_v3.Simulator):
    """A simulator with an extra method and a model that is not public."""

    def __init__(self):
        super().__init__({
            "type": "time-based",
            "models": {
                "Thing": {"public": True, "params": ["size"], "attrs": ["out"]},
                "Hidden": {"public": False, "params": [], "attrs": []},
            },
            "extra_methods": ["scale"],
        })
        self.factor = 1

    def scale(self, factor, offset=0):
        self.factor = factor
        return factor * 10 + offset

    def create(self, num, model, size=0):
        return [{"eid": f"{model}_{i}", "type": model} for i in range(num)]

    def step(self, time, inputs, max_advance):
        return time + 1

    def get_data(self, outputs):
        return {eid: {"out": self.factor} for eid in outputs}


class ValuesSim(mosaik_api_v3.Simulator):
    """Each attribute's value is of another Python type."""

    VALUES = {"f": 1.5, "i": 7, "big": 2**64 - 1, "b": True, "s": "text", "l": [1, "a"], "obj": object()}

    def __init__(self):
        super().__init__({
            "type": "time-based",
            "models": {"V": {"public": True, "params": [], "attrs": list(self.VALUES)}},
        })

    def create(self, num, model):
        return [{"eid": f"V_{i}", "type": model} for i in range(num)]

    def step(self, time, inputs, max_advance):
        return time + 1

    def get_data(self, outputs):
        return {eid: {attr: self.VALUES[attr] for attr in attrs} for eid, attrs in outputs.items()}


def collected(run):
    """What the in-process collector prints when the run ends."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run()
    return out.getvalue()


class WorldTest(unittest.TestCase):
    def world(self, **kwargs):
        world = mosaik.World(CONFIG, skip_greetings=True, **kwargs)
        self.addCleanup(world.shutdown)
        return world

    def test_simulator_ids_count_per_name(self):
        world = self.world()
        self.assertEqual(world.start("ExampleSim")._sid, "ExampleSim-0")
        self.assertEqual(world.start("ExampleSim")._sid, "ExampleSim-1")
        self.assertEqual(world.start("Collector")._sid, "Collector-0")
        self.assertEqual(world.start("ExampleSim", sim_id="mine")._sid, "mine")
        with self.assertRaises(ScenarioError) as error:
            world.start("ExampleSim", sim_id="mine")
        self.assertEqual(
            str(error.exception),
            "A simulator with sim_id 'mine' has already been started. Choose a different sim_id.",
        )

    def test_start_errors_name_the_simulator(self):
        world = self.world()
        cases = {
            "Nope": 'Simulator "Nope" could not be started: Not found in sim_config',
            "NoColon": 'Simulator "NoColon" could not be started: Malformed Python class name: Expected '
                       '"module:Class" --> not enough values to unpack (expected 2, got 1)',
            "NoModule": "Simulator \"NoModule\" could not be started: Could not import module: No module named "
                        "'no_such_module' --> No module named 'no_such_module'",
            "NoClass": "Simulator \"NoClass\" could not be started: Class not found in module --> module "
                       "'example_sim' has no attribute 'NoSuchSim'",
            "Nothing": 'Simulator "Nothing" could not be started: Invalid configuration',
        }
        for name, message in cases.items():
            with self.subTest(name), self.assertRaises(ScenarioError) as error:
                world.start(name)
            self.assertEqual(str(error.exception), message)

    def test_a_program_that_cannot_run_is_a_scenario_error_and_no_server_a_simulation_error(self):
        world = self.world()
        with self.assertRaises(ScenarioError) as error:
            world.start("NoProgram")
        self.assertIn('Simulator "NoProgram-0" could not be started: ', str(error.exception))
        self.assertIn("/no/such/program", str(error.exception))
        with self.assertRaises(SimulationError) as error:
            world.start("NoServer")
        self.assertIn("127.0.0.1:1", str(error.exception))

    def test_an_exception_in_init_comes_out_unchanged(self):
        world = self.world()
        with self.assertRaises(ValueError) as error:
            world.start("ExampleSim", time_resolution=60.0)
        self.assertEqual(str(error.exception), "ExampleSim only supports time_resolution=1., but 60.0 was set.")

    def test_entities(self):
        world = self.world()
        sim = world.start("ExampleSim", eid_prefix="M_")
        first = sim.ExampleModel(init_val=1)
        more = sim.ExampleModel.create(2, init_val=2)
        self.assertEqual([e.eid for e in [first] + more], ["M_0", "M_1", "M_2"])
        self.assertEqual(first.sid, "ExampleSim-0")
        self.assertEqual(first.full_id, "ExampleSim-0.M_0")
        self.assertEqual(first.type, "ExampleModel")
        self.assertEqual(first.sim_name, "ExampleModel")
        self.assertEqual(first.children, [])
        self.assertEqual(str(first), "Entity(model='ExampleModel', eid='M_0', sid='ExampleSim-0')")
        self.assertTrue(first.triggered_by("delta"))
        self.assertFalse(first.triggered_by("val"))
        self.assertTrue(first.is_persistent("val"))

    def test_model_factory_errors(self):
        world = self.world()
        sim = world.start("ExampleSim")
        with self.assertRaises(TypeError) as error:
            sim.ExampleModel(init_val=1, colour="red")
        self.assertEqual(str(error.exception), "create() got unexpected keyword arguments: 'colour'")
        with self.assertRaises(AttributeError) as error:
            sim.NoModel
        self.assertEqual(str(error.exception), 'Model factory for "ExampleSim-0" has no model and no function "NoModel".')
        extra = world.start("Extra")
        with self.assertRaises(AttributeError) as error:
            extra.Hidden
        self.assertEqual(str(error.exception), 'Model "Hidden" is not public.')

    def test_extra_methods_are_called_on_the_simulator(self):
        world = self.world()
        extra = world.start("Extra")
        self.assertEqual(extra.scale(3, offset=2), 32)
        self.assertEqual(extra.scale.__name__, "scale")

    def test_connection_problems_are_listed_as_mosaik_lists_them(self):
        world = self.world()
        sim = world.start("ExampleSim")
        a, b = sim.ExampleModel.create(2, init_val=0)
        with self.assertRaises(ScenarioError) as error:
            world.connect(a, b, ("nope", "delta"))
        self.assertEqual(
            str(error.exception),
            "While connecting entities, the following errors occurred:\n"
            " - The are problems connecting ExampleSim-0.Model_0.nope to ExampleSim-0.Model_1.delta:\n"
            "- the source attribute does not exist",
        )
        with self.assertRaises(ScenarioError) as error:
            world.connect(a, b, ("val", "val"), time_shifted=True)
        self.assertEqual(
            str(error.exception),
            "While connecting entities, the following errors occurred:\n"
            " - The are problems connecting ExampleSim-0.Model_0.val to ExampleSim-0.Model_1.val:\n"
            "- weak or time-shifted connection into non-trigger attribute requires initial data",
        )
        collector = world.start("Collector")
        with self.assertRaises(ScenarioError) as error:
            world.connect(collector.Monitor(), a, ("x", "y"))
        self.assertIn("- the source attribute does not exist\n- the destination attribute does not exist",
                      str(error.exception))

    def test_weak_connections_need_a_group(self):
        world = self.world()
        model = world.start("ExampleSim").ExampleModel(init_val=0)
        agent = world.start("Ctrl").Agent()
        with self.assertRaises(ScenarioError) as error:
            world.connect(agent, model, "delta", weak=True)
        self.assertTrue(str(error.exception).startswith("Weak connections may only be used in groups."))

    def test_a_cycle_is_reported_when_the_run_starts(self):
        world = self.world()
        a = world.start("ExampleSim").ExampleModel(init_val=0)
        b = world.start("ExampleSim").ExampleModel(init_val=0)
        world.connect(a, b, ("val", "delta"))
        world.connect(b, a, ("val", "delta"))
        with self.assertRaises(ScenarioError) as error:
            world.run(until=2, print_progress=False)
        self.assertTrue(str(error.exception).startswith("Your scenario contains cycles, for example: [<SimRunner sid="))
        with self.assertRaises(RuntimeError) as error:
            world.run(until=2, print_progress=False)
        self.assertEqual(str(error.exception),
                         "Simulation has already been run and can only be run once for a World instance.")

    def test_rt_factor_must_be_positive(self):
        world = self.world()
        world.start("ExampleSim").ExampleModel(init_val=0)
        with self.assertRaises(ValueError):
            world.run(until=2, rt_factor=0, print_progress=False)

    def test_cpp_and_python_example_sims_give_the_same_data(self):
        def scenario(sim_name):
            world = self.world()
            sim = world.start(sim_name, eid_prefix="Model_")
            monitor = world.start("Collector").Monitor()
            models = sim.ExampleModel.create(3, init_val=2)
            mas.mosaik.util.connect_many_to_one(world, models, monitor, "val", "delta")
            return lambda: world.run(until=5, print_progress=False)

        python = collected(scenario("ExampleSim"))
        cpp = collected(scenario("CppSim"))
        self.assertIn("- ExampleSim-0.Model_2:\n  - delta: {0: 1, 1: 1, 2: 1, 3: 1, 4: 1}\n"
                      "  - val: {0: 3, 1: 4, 2: 5, 3: 6, 4: 7}\n", python)
        self.assertEqual(cpp, python.replace("ExampleSim-0", "CppSim-0"))

    def test_output_values_keep_their_python_types(self):
        world = self.world()
        value = world.start("Values").V()
        monitor = world.start("Collector").Monitor()
        world.connect(value, monitor, "f", "i", "big", "b", "s", "l")
        self.assertIn("- Values-0.V_0:\n  - b: {0: True}\n  - big: {0: 18446744073709551615}\n  - f: {0: 1.5}\n"
                      "  - i: {0: 7}\n  - l: {0: [1, 'a']}\n  - s: {0: 'text'}\n",
                      collected(lambda: world.run(until=1, print_progress=False)))

    def test_an_output_value_that_cannot_be_passed_on_names_the_simulator(self):
        world = self.world()
        value = world.start("Values").V()
        monitor = world.start("Collector").Monitor()
        world.connect(value, monitor, "f", "obj")
        with self.assertRaises(SimulationError) as error:
            collected(lambda: world.run(until=1, print_progress=False))
        self.assertIn("get_data() of Values-0 returned: Object of type object is not JSON serializable",
                      str(error.exception))

    def test_a_failing_simulator_ends_the_run_with_its_own_exception(self):
        world = self.world()
        first, second = world.start("ExampleSim").ExampleModel.create(2, init_val=0)
        agent = world.start("Ctrl").Agent()
        world.connect(first, agent, ("val", "val_in"))
        world.connect(second, agent, ("val", "val_in"))  # two sources: the controller refuses
        with self.assertRaises(RuntimeError) as error:
            world.run(until=3, print_progress=False)
        self.assertEqual(str(error.exception), 'Only one ingoing connection allowed per agent, but "Agent_0" has 2.')
        notes = "\n".join(getattr(error.exception, "__notes__", []))
        self.assertIn('Simulator "Ctrl-0" failed in step', notes)
        self.assertIn("(simulated time 0)", notes)


class RecordingWorld:
    def __init__(self):
        self.connections = []

    def connect(self, src, dest, *attrs, **kwargs):
        self.connections.append((src, dest, attrs, kwargs))


class UtilTest(unittest.TestCase):
    def test_connect_many_to_one(self):
        world = RecordingWorld()
        mas.mosaik.util.connect_many_to_one(world, ["a", "b"], "m", "val", async_requests=True)
        self.assertEqual(world.connections, [("a", "m", ("val",), {"async_requests": True}),
                                             ("b", "m", ("val",), {"async_requests": True})])

    def test_connect_randomly_evenly_spreads_the_sources(self):
        world = RecordingWorld()
        random.seed(7)
        dests = ["d0", "d1", "d2"]
        connected = mas.mosaik.util.connect_randomly(world, list(range(8)), dests, "val")
        self.assertEqual(dests, ["d0", "d1", "d2"])  # the caller's list is left alone
        self.assertEqual(connected, set(dests))
        self.assertEqual([c[0] for c in world.connections], list(range(8)))
        counts = [sum(1 for c in world.connections if c[1] == d) for d in dests]
        self.assertLessEqual(max(counts) - min(counts), 1)

    def test_connect_randomly_with_max_connects(self):
        world = RecordingWorld()
        random.seed(3)
        connected = mas.mosaik.util.connect_randomly(world, list(range(5)), ["d0", "d1", "d2"], "val",
                                                     evenly=False, max_connects=2)
        counts = [sum(1 for c in world.connections if c[1] == d) for d in ["d0", "d1", "d2"]]
        self.assertEqual(sum(counts), 5)
        self.assertLessEqual(max(counts), 2)
        self.assertEqual(connected, {d for d, n in zip(["d0", "d1", "d2"], counts) if n > 0})
        # More sources than the destinations can take: mosaik's assertion.
        with self.assertRaises(AssertionError):
            mas.mosaik.util.connect_randomly(world, list(range(7)), ["d0", "d1", "d2"], "val", evenly=False,
                                             max_connects=2)


if __name__ == "__main__":
    unittest.main()
