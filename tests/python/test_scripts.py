"""Scenario scripts run as a mosaik user runs them, with `python3 -m mas.mosaik script.py`:
`import mosaik` resolves to libmas, and the output is what mosaik prints for the same script."""

import os
import signal
import subprocess
import sys
import unittest

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

# What mosaik 3.3.3 prints for its tutorial's demo_1 and demo_2, which these scripts follow.
DEMO_ONE = """Collected data:
- ExampleSim-0.Model_0:
  - delta: {0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}
  - val: {0: 3, 1: 4, 2: 5, 3: 6, 4: 7, 5: 8, 6: 9, 7: 10, 8: 11, 9: 12}
- ExampleSim-0.Model_1:
  - delta: {0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}
  - val: {0: 4, 1: 5, 2: 6, 3: 7, 4: 8, 5: 9, 6: 10, 7: 11, 8: 12, 9: 13}
- ExampleSim-0.Model_2:
  - delta: {0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}
  - val: {0: 4, 1: 5, 2: 6, 3: 7, 4: 8, 5: 9, 6: 10, 7: 11, 8: 12, 9: 13}
"""

DEMO_TWO = """Collected data:
- ExampleCtrl-0.Agent_0:
  - delta: {2: -1, 5: 1, 8: -1}
- ExampleCtrl-0.Agent_1:
  - delta: {1: -1, 4: 1, 7: -1}
- ExampleCtrl-0.Agent_2:
  - delta: {0: -1, 3: 1, 6: -1, 9: 1}
- ExampleSim-0.Model_0:
  - delta: {0: 1, 1: 1, 2: -1, 3: -1, 4: -1, 5: 1, 6: 1, 7: 1, 8: -1, 9: -1}
  - val: {0: 0, 1: 2, 2: 2, 3: 0, 4: -2, 5: -2, 6: 0, 7: 2, 8: 2, 9: 0}
- ExampleSim-0.Model_1:
  - delta: {0: 1, 1: -1, 2: -1, 3: -1, 4: 1, 5: 1, 6: 1, 7: -1, 8: -1, 9: -1}
  - val: {0: 2, 1: 2, 2: 0, 3: -2, 4: -2, 5: 0, 6: 2, 7: 2, 8: 0, 9: -2}
- ExampleSim-0.Model_2:
  - delta: {0: -1, 1: -1, 2: -1, 3: 1, 4: 1, 5: 1, 6: -1, 7: -1, 8: -1, 9: 1}
  - val: {0: 2, 1: 0, 2: -2, 3: -2, 4: 0, 5: 2, 6: 2, 7: 0, 8: -2, 9: -2}
"""


def command(*args):
    return [sys.executable, "-m", "mas.mosaik", *args]


def run_script(*args):
    return subprocess.run(command(*args), cwd=DATA, capture_output=True, text=True, timeout=120)


class ScriptTest(unittest.TestCase):
    def check_output(self, result, expected):
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, expected)

    def test_demo_one_prints_what_mosaik_prints(self):
        self.check_output(run_script("demo_one.py"), DEMO_ONE)

    def test_demo_one_with_the_cpp_example_sim(self):
        self.check_output(run_script("demo_one.py", "--cpp"), DEMO_ONE)

    def test_demo_two_prints_what_mosaik_prints(self):
        result = run_script("demo_two.py")
        self.check_output(result, DEMO_TWO)
        self.assertIn("100%|", result.stderr)  # the progress bar
        self.assertIn("Simulation finished successfully.", result.stderr)

    def test_demo_two_with_the_collector_in_process(self):
        self.check_output(run_script("demo_two.py", "--in-process-collector"), DEMO_TWO)

    def test_time_shifted_connection_with_initial_data(self):
        # A steps first at each time; B's val reaches A one step later, 10 at the first step.
        self.check_output(
            run_script("shifted.py"),
            "Collected data:\n"
            "- ExampleSim-0.A0:\n  - val: {0: 10, 1: 20, 2: 50, 3: 130}\n"
            "- ExampleSim-1.B0:\n  - val: {0: 10, 1: 30, 2: 80, 3: 210}\n",
        )

    def test_async_requests_from_a_generator_step(self):
        # get_progress, get_data, get_related_entities and set_data, yielded from a step.
        result = run_script("async_requests.py")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 3, result.stdout)
        for time, line in enumerate(lines):
            seen_time, progress, data, related = eval(line)  # the watcher prints Python tuples
            self.assertEqual(seen_time, time)
            self.assertGreaterEqual(progress, 0)
            self.assertLessEqual(progress, 100)
            # The model steps before the watcher at the same time (val 5 + 1 at time 0); the
            # delta of 2 the watcher sets at time 0 reaches the model's step at time 1.
            self.assertEqual(data, {"ExampleSim-0.Model_0": {"val": 6 + 2 * time}})
            self.assertEqual(related, ["ExampleSim-0.Model_0"])

    def test_set_event_schedules_steps_in_real_time(self):
        result = run_script("events.py")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "stepped at [0, 2, 4, 6]\n")
        self.assertIn("event set at 8 by Alarm-0 is after the end 7 and is ignored", result.stderr)

    def test_a_failing_simulator_stops_the_run_with_its_traceback(self):
        result = run_script("failing.py")
        self.assertEqual(result.returncode, 1)
        # Every simulator was stopped: the collector printed what it had.
        self.assertEqual(result.stdout, "Collected data:\n- Failing-0.Part_0:\n  - val: {0: 0, 1: 1}\n")
        self.assertIn("Traceback (most recent call last):", result.stderr)
        self.assertIn('failing.py", line', result.stderr)
        self.assertIn("ValueError: kaputt", result.stderr)
        self.assertIn('Simulator "Failing-0" failed in step: ValueError: kaputt (simulated time 2)', result.stderr)

    def test_ctrl_c_stops_every_simulator(self):
        process = subprocess.Popen(command("endless.py"), cwd=DATA, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            self.assertEqual(process.stdout.readline(), "running\n")
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=60)
        finally:
            process.kill()
            process.wait()
        self.assertEqual(process.returncode, -signal.SIGINT, stderr)
        self.assertIn("finalized Ticker\n", stdout)
        self.assertIn("finalized Sink\n", stdout)
        self.assertIn("KeyboardInterrupt", stderr)
        self.assertIn("Simulation canceled. Terminating ...", stderr)

    def test_the_script_runs_as_main_with_its_arguments_and_exit_status(self):
        result = run_script("exit_status.py", "7", "x y")
        self.assertEqual(result.returncode, 7, result.stderr)
        self.assertEqual(result.stdout, "__main__ mas.mosaik mas.mosaik.util ['exit_status.py', '7', 'x y']\n")

    def test_a_missing_script_is_a_usage_error(self):
        result = run_script("no_such_script.py")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "mas.mosaik: error: cannot open script 'no_such_script.py': no such file\n")


if __name__ == "__main__":
    unittest.main()
