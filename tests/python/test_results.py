"""The collector's HDF5 files, read back with h5py as their users read them: the demo's equals its
CSV value for value, and values of every kind land where the layout says."""

import csv
import io
import math
import os
import subprocess
import sys
import tempfile
import unittest

import h5py

import mas.mosaik as mosaik
import mosaik_api_v3

MAS_RUN = os.environ.get("MAS_RUN", "")
SIM_BIN = os.environ.get("MAS_SIM_BIN", "")
SCENARIOS = os.environ.get("MAS_SCENARIOS_DIR", "")


class Mixed(mosaik_api_v3.Simulator):
    """Sends a number, a bool, a string and sometimes nothing."""

    def __init__(self):
        super().__init__({"type": "time-based",
                          "models": {"M": {"public": True, "params": [], "attrs": ["x", "flag", "note"]}}})

    def create(self, num, model):
        return [{"eid": f"M_{i}", "type": model} for i in range(num)]

    def step(self, time, inputs, max_advance):
        self.time = time
        return time + 1

    def get_data(self, outputs):
        data = {}
        for eid, attrs in outputs.items():
            if eid == "M_1" and self.time == 1:
                continue  # nothing from this one at time 1
            data[eid] = {"x": self.time + 0.5, "flag": self.time % 2 == 0, "note": f"t{self.time}"}
        return data


class ResultsTest(unittest.TestCase):
    @unittest.skipUnless(MAS_RUN, "needs MAS_RUN, the mas-run executable")
    def test_the_demo_in_hdf5_equals_its_csv(self):
        with tempfile.TemporaryDirectory() as out:
            for fmt in ("csv", "hdf5"):
                subprocess.run([MAS_RUN, os.path.join(SCENARIOS, "demo.json"), "--out", out, "--log-level", "warn",
                                "--set", f"sim_bin={SIM_BIN}", "--set", f"results_format={fmt}"],
                               check=True, capture_output=True, timeout=120)
            with open(os.path.join(out, "demo.csv"), newline="") as f:
                rows = list(csv.DictReader(f))
            with h5py.File(os.path.join(out, "demo.hdf5"), "r") as f:
                times = list(f["time"][:])
                self.assertEqual(times, sorted({int(r["time"]) for r in rows}))
                row_of = {t: i for i, t in enumerate(times)}
                attributes = sorted({r["attribute"] for r in rows})
                self.assertEqual(sorted(k for k in f if k != "time"), attributes)
                cells = 0
                for attr in attributes:
                    entities = list(f[attr]["entities"].asstr()[:])
                    self.assertEqual(entities, sorted({r["source"] for r in rows if r["attribute"] == attr}))
                    values = f[attr]["values"][:]
                    self.assertEqual(values.shape, (len(times), len(entities)))
                    cells += sum(1 for v in values.flat if not math.isnan(v))
                    for r in (r for r in rows if r["attribute"] == attr):
                        self.assertEqual(values[row_of[int(r["time"])], entities.index(r["source"])], float(r["value"]))
                self.assertEqual(cells, len(rows))

    def test_values_of_every_kind(self):
        with tempfile.TemporaryDirectory() as out:
            path = os.path.join(out, "mixed.h5")
            world = mosaik.World({"Mixed": {"python": "test_results:Mixed"}, "Collector": {"cpp": "collector"}},
                                 skip_greetings=True)
            models = world.start("Mixed").M.create(2)
            monitor = world.start("Collector", path=path).Monitor()
            for model in models:
                world.connect(model, monitor, "x", "flag", "note")
            with io.StringIO() as summary, __import__("contextlib").redirect_stdout(summary):
                world.run(until=3, print_progress=False)
            with h5py.File(path, "r") as f:
                self.assertEqual(list(f["time"][:]), [0, 1, 2])
                self.assertEqual(list(f["x"]["entities"].asstr()[:]), ["Mixed-0.M_0", "Mixed-0.M_1"])
                x = f["x"]["values"][:]
                self.assertEqual(x[0].tolist(), [0.5, 0.5])
                self.assertEqual(x[1][0], 1.5)
                self.assertTrue(math.isnan(x[1][1]))  # M_1 sent nothing at time 1
                self.assertEqual(f["flag"]["values"][:, 0].tolist(), [1.0, 0.0, 1.0])
                notes = f["note"]["values"].asstr()[:]
                self.assertEqual(notes[:, 0].tolist(), ["t0", "t1", "t2"])
                self.assertEqual(notes[1, 1], "")


if __name__ == "__main__":
    unittest.main()
