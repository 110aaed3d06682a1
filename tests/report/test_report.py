"""mas-run's HTML report, as a user meets it: the demo's report opened in headless Chromium (no
console errors; every plot with the collected series and points; the summary as the run printed
it; the entity picker; schedule and scenario graph), a report of 100,000 entities that plots a
selection, and bad input (a trace cut short, a collector file missing, an unwritable place):
one line, a non-zero exit and no report written half-way."""

import csv
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from collections import defaultdict

from chromium import Chromium

MAS_RUN = os.environ["MAS_RUN"]
MAS_REPORT = os.environ["MAS_REPORT"]
SIM_BIN = os.environ["MAS_SIM_BIN"]
SCENARIOS = os.environ["MAS_SCENARIOS_DIR"]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
# Where the screenshots go (the build tree): a person can look at what the test saw.
SHOTS = os.environ.get("MAS_REPORT_SHOTS", tempfile.gettempdir())


def run_demo(out, *extra):
    return subprocess.run([MAS_RUN, os.path.join(SCENARIOS, "demo.json"), "--out", out, "--log-level", "warn",
                           "--set", f"sim_bin={SIM_BIN}", *extra], check=True, capture_output=True, text=True,
                          timeout=300)


def model_of(full_id):
    """The demo's entities are named <model>_<n> by their simulators."""
    return full_id.split(".", 1)[1].rsplit("_", 1)[0]


class DemoReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="mas-report-")
        cls.report = os.path.join(cls.out, "report.html")
        cls.demo = run_demo(cls.out, "--report", cls.report, "--trace", os.path.join(cls.out, "trace.json"))
        cls.browser = Chromium().__enter__()
        cls.browser.load("file://" + cls.report, "window.masReport && window.masReport.ready")

    @classmethod
    def tearDownClass(cls):
        cls.browser.__exit__(None, None, None)
        shutil.rmtree(cls.out, ignore_errors=True)

    def test_mas_run_prints_where_the_report_is(self):
        self.assertIn(f"report: {self.report}\n", self.demo.stdout)

    def test_the_page_loads_without_console_errors(self):
        problems = [e for e in self.browser.events if e[0] in ("error", "exception", "assert", "warning")]
        self.assertEqual(problems, [])
        self.assertEqual(self.browser.evaluate("document.title"), "mas-run report: demo.json")

    def test_every_plot_holds_the_collected_series_and_points(self):
        expected = defaultdict(lambda: {"entities": set(), "times": set()})
        with open(os.path.join(self.out, "demo.csv"), newline="") as f:
            for row in csv.DictReader(f):
                group = expected[(model_of(row["source"]), row["attribute"])]
                group["entities"].add(row["source"])
                group["times"].add(int(row["time"]))
        plots = self.browser.evaluate("""masReport.plots.map((p) => ({model: p.model, attr: p.attr,
            series: p.graph.numColumns() - 1, points: p.graph.numRows(), labels: p.graph.getLabels().slice(1),
            first: p.graph.getValue(0, 1), x0: p.graph.getValue(0, 0)}))""")
        self.assertEqual(sorted((p["model"], p["attr"]) for p in plots), sorted(expected))
        for plot in plots:
            group = expected[(plot["model"], plot["attr"])]
            with self.subTest(model=plot["model"], attr=plot["attr"]):
                self.assertEqual(plot["series"], min(8, len(group["entities"])))
                self.assertEqual(set(plot["labels"]), group["entities"])
                self.assertEqual(plot["points"], len(group["times"]))
                self.assertEqual(plot["x0"], min(group["times"]))
        # One value checked against the file, through the plot the user sees.
        with open(os.path.join(self.out, "demo.csv"), newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["source"] == "PV-0.PV_0" and r["attribute"] == "p_w"]
        shown = self.browser.evaluate("""(() => { const p = masReport.plots.find((p) => p.model === "PV");
            const g = p.graph; const c = g.getLabels().indexOf("PV-0.PV_0");
            return Array.from({length: g.numRows()}, (_, i) => [g.getValue(i, 0), g.getValue(i, c)]); })()""")
        self.assertEqual(shown, [[int(r["time"]), float(r["value"])] for r in rows])

    def test_the_summary_table_matches_the_run(self):
        printed = dict(re.findall(r"^  (\S+) +(\d+)$", self.demo.stdout, re.M))
        table = self.browser.evaluate("""Array.from(document.querySelectorAll("table.summary tbody tr"),
            (tr) => Array.from(tr.cells, (td) => td.textContent))""")
        self.assertEqual({row[0]: row[2] for row in table}, printed)
        starts = {row[0]: row[1] for row in table}
        self.assertEqual(starts["Household-0"], "cpp: household")
        self.assertTrue(starts["Collector-0"].startswith("cmd: ") and "collector" in starts["Collector-0"])
        slowest = self.browser.evaluate("document.querySelectorAll('table.slowest tbody tr').length")
        self.assertEqual(slowest, 10)
        # Each simulator's busy wall time is the sum of its steps' durations in the trace.
        with open(os.path.join(self.out, "trace.json")) as f:
            events = json.load(f)["traceEvents"]
        track = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M"}
        busy = defaultdict(float)
        for e in events:
            if e["ph"] == "X":
                busy[track[e["tid"]]] += e["dur"] / 1000
        for row in table:
            with self.subTest(simulator=row[0]):
                self.assertAlmostEqual(float(row[3]), busy[row[0]], delta=0.01 + 0.05 * busy[row[0]])
                self.assertTrue(row[4].endswith(" %"))

    def test_the_picker_chooses_what_a_plot_shows(self):
        counts = self.browser.evaluate("""(() => {
            const section = document.querySelectorAll("section.plot")[
                masReport.plots.findIndex((p) => p.model === "House")];
            const plot = masReport.plots.find((p) => p.model === "House");
            const out = [];
            [...section.querySelectorAll("button")].find((b) => b.textContent === "none").click();
            out.push([plot.selected.length, section.querySelector(".graph").hidden]);
            const filter = section.querySelector("input[type=search]");
            filter.value = "House_2";
            filter.dispatchEvent(new Event("input"));
            const boxes = section.querySelectorAll(".choices input");
            out.push(boxes.length);
            boxes[0].click();
            out.push([plot.graph.numColumns() - 1, plot.graph.getLabels()[1], section.querySelector(".graph").hidden]);
            return out; })()""")
        self.assertEqual(counts, [[0, True], 1, [1, "Household-0.House_2", False]])

    def test_the_plots_can_be_narrowed_to_an_attribute_and_a_model(self):
        shown = self.browser.evaluate("""(() => {
            const [attr, model] = document.querySelectorAll(".choosers select");
            const visible = () => Array.from(document.querySelectorAll("section.plot"), (s, i) =>
                s.offsetParent !== null ? masReport.plots[i].model + " " + masReport.plots[i].attr : null)
              .filter((x) => x);
            const out = [];
            attr.value = "p_w"; attr.dispatchEvent(new Event("change", { bubbles: true }));
            out.push(visible());
            model.value = "PV"; model.dispatchEvent(new Event("change", { bubbles: true }));
            out.push(visible());
            attr.value = ""; model.value = ""; model.dispatchEvent(new Event("change", { bubbles: true }));
            out.push(visible().length);
            return out; })()""")
        self.assertEqual(shown, [["Battery p_w", "House p_w", "PV p_w"], ["PV p_w"], 5])

    def test_the_schedule_shows_every_step(self):
        points = self.browser.evaluate("""(() => { const g = masReport.schedule; let n = 0;
            for (let r = 0; r < g.numRows(); ++r) for (let c = 1; c < g.numColumns(); ++c)
              if (g.getValue(r, c) !== null) ++n;
            return [n, g.getLabels().slice(1)]; })()""")
        self.assertEqual(points, [480, ["Household-0", "PV-0", "Battery-0", "Controller-0", "Collector-0"]])

    def test_the_scenario_graph_draws_every_simulator_and_connection(self):
        with open(os.path.join(self.out, "trace.json")) as f:
            record = json.load(f)["metadata"]["mas_run"]
        drawn = self.browser.evaluate("""[document.querySelectorAll("svg.scenario-graph g.sim").length,
            document.querySelectorAll("svg.scenario-graph path.link").length,
            document.querySelectorAll("svg.scenario-graph path.link.shifted").length,
            document.querySelectorAll("table.links tbody tr").length]""")
        self.assertEqual(drawn, [5, len(record["connections"]), 1, len(record["connections"])])
        self.assertIn({"src": "Battery-0", "dest": "Controller-0", "attrs": [["soc", "soc"]], "weak": False,
                       "time_shifted": 1, "async_requests": False}, record["connections"])

    def test_a_screenshot_shows_the_page(self):
        path = os.path.join(SHOTS, "report-demo.png")
        self.browser.screenshot(path)
        with open(path, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        self.assertGreaterEqual(width, 1000)
        self.assertGreater(height, 2000)  # the whole page, not the window


class ReportFormatsTest(unittest.TestCase):
    def test_a_report_from_hdf5_results_plots_the_same_values(self):
        with tempfile.TemporaryDirectory() as out:
            pages = {}
            for fmt in ("csv", "hdf5"):
                run_demo(out, "--set", f"results_format={fmt}", "--report", os.path.join(out, f"{fmt}.html"))
                with open(os.path.join(out, f"{fmt}.html")) as f:
                    text = f.read()
                data = re.search(r'<script type="application/json" id="mas-data">(.*?)</script>', text, re.S).group(1)
                pages[fmt] = json.loads(data)["plots"]
            self.assertEqual(pages["hdf5"], pages["csv"])
            self.assertEqual(len(pages["csv"]), 5)


class WeakConnectionReportTest(unittest.TestCase):
    def test_the_scenario_graph_shows_weak_connections(self):
        with tempfile.TemporaryDirectory() as out:
            report = os.path.join(out, "r.html")
            subprocess.run([MAS_RUN, os.path.join(SCENARIOS, "tutorial-demo2.json"), "--out", out, "--log-level",
                            "warn", "--set", f"sim_bin={SIM_BIN}", "--report", report], check=True,
                           capture_output=True, timeout=300)
            with Chromium() as browser:
                browser.load("file://" + report, "window.masReport && window.masReport.ready")
                weak = browser.evaluate("""[document.querySelectorAll("svg.scenario-graph path.link.weak").length,
                    Array.from(document.querySelectorAll("table.links tbody tr"), (tr) =>
                      [tr.cells[0].textContent, tr.cells[1].textContent, tr.cells[2].textContent, tr.cells[3].textContent])
                      .filter((r) => r[3] === "weak")]""")
        self.assertEqual(weak, [1, [["ExampleCtrl-0", "ExampleSim-0", "delta", "weak"]]])


class ThinnedReportTest(unittest.TestCase):
    def test_a_report_past_its_budget_of_values_keeps_every_nth_time_and_says_so(self):
        with tempfile.TemporaryDirectory() as out:
            trace = os.path.join(out, "trace.json")
            report = os.path.join(out, "r.html")
            run_demo(out, "--trace", trace)
            # The demo collects 1,152 values: a budget of 400 keeps every third time.
            subprocess.run([MAS_REPORT, trace, "-o", report, "--max-values", "400"], check=True, capture_output=True,
                           timeout=120)
            with Chromium() as browser:
                browser.load("file://" + report, "window.masReport && window.masReport.ready")
                plots = browser.evaluate("""masReport.plots.map((p) => [p.graph.numRows(),
                    document.querySelectorAll("section.plot")[masReport.plots.indexOf(p)].querySelector(".note")
                      .textContent])""")
            self.assertEqual(len(plots), 5)
            for rows, note in plots:
                self.assertEqual(rows, 32)  # 96 times, every third
                self.assertIn("96 times", note)
                self.assertIn("one time in 3 shown", note)


class LargeReportTest(unittest.TestCase):
    def test_a_report_of_100000_entities_plots_a_selection(self):
        with tempfile.TemporaryDirectory() as out:
            report = os.path.join(out, "many.html")
            subprocess.run([MAS_RUN, os.path.join(DATA, "many_entities.json"), "--out", out, "--log-level", "warn",
                            "--report", report], check=True, capture_output=True, timeout=300)
            with Chromium() as browser:
                browser.load("file://" + report, "window.masReport && window.masReport.ready")
                state = browser.evaluate("""(() => { const p = masReport.plots[0];
                    const section = document.querySelector("section.plot");
                    return [masReport.plots.length, p.model, p.attr, p.graph.numColumns() - 1, p.graph.numRows(),
                            section.querySelectorAll(".choices input").length,
                            section.querySelector(".choices .note").textContent,
                            section.querySelector(".count").textContent]; })()""")
                self.assertEqual(state, [1, "ExampleModel", "val", 8, 3, 200, "and 99800 more: filter to narrow",
                                         "8 of 100000 shown"])
                found = browser.evaluate("""(() => { const section = document.querySelector("section.plot");
                    const filter = section.querySelector("input[type=search]");
                    filter.value = "Model_99999"; filter.dispatchEvent(new Event("input"));
                    return Array.from(section.querySelectorAll(".choices label"), (l) => l.textContent); })()""")
                self.assertEqual(found, ["ExampleSim-0.Model_99999"])
                errors = [e for e in browser.events if e[0] in ("error", "exception")]
                self.assertEqual(errors, [])


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="mas-report-bad-")
        cls.trace = os.path.join(cls.out, "trace.json")
        run_demo(cls.out, "--trace", cls.trace)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def report_fails(self, trace, report, message):
        run = subprocess.run([MAS_REPORT, trace, "-o", report], capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stderr.count("\n"), 1, run.stderr)
        self.assertRegex(run.stderr, "^mas-report: error: " + message)
        self.assertFalse(os.path.exists(report))
        self.assertEqual(glob.glob(report + ".tmp*"), [])  # no half-written report left behind

    def test_a_trace_cut_short(self):
        with tempfile.TemporaryDirectory() as work:
            cut = os.path.join(work, "cut.json")
            with open(self.trace, "rb") as f, open(cut, "wb") as g:
                g.write(f.read()[: os.path.getsize(self.trace) // 2])
            self.report_fails(cut, os.path.join(work, "r.html"), r"the trace '.*cut\.json' is cut short or not JSON")

    def test_a_trace_without_the_run_record(self):
        with tempfile.TemporaryDirectory() as work:
            bare = os.path.join(work, "bare.json")
            with open(bare, "w") as f:
                json.dump({"traceEvents": [], "displayTimeUnit": "ms"}, f)
            self.report_fails(bare, os.path.join(work, "r.html"), r"the trace has no run record")

    def test_a_collector_file_that_is_missing(self):
        with tempfile.TemporaryDirectory() as work:
            with open(self.trace) as f:
                trace = json.load(f)
            trace["metadata"]["mas_run"]["results"][0]["path"] = os.path.join(work, "gone.csv")
            moved = os.path.join(work, "trace.json")
            with open(moved, "w") as f:
                json.dump(trace, f)
            self.report_fails(moved, os.path.join(work, "r.html"), r"the results file '.*gone\.csv' is missing")

    def test_a_collector_file_cut_short(self):
        with tempfile.TemporaryDirectory() as work:
            with open(self.trace) as f:
                trace = json.load(f)
            cut = os.path.join(work, "cut.csv")
            with open(os.path.join(self.out, "demo.csv")) as f, open(cut, "w") as g:
                g.write(f.read()[:1000])
            trace["metadata"]["mas_run"]["results"][0]["path"] = cut
            moved = os.path.join(work, "trace.json")
            with open(moved, "w") as f:
                json.dump(trace, f)
            self.report_fails(moved, os.path.join(work, "r.html"), r"the results file '.*cut\.csv' is not a collector "
                                                                   r"CSV: line \d+: .*cut short")

    def test_a_report_where_it_cannot_be_written(self):
        with tempfile.TemporaryDirectory() as work:
            self.report_fails(self.trace, os.path.join(work, "no-such-dir", "r.html"),
                              r"cannot write the report '.*r\.html': No such file or directory")

    def test_mas_run_keeps_its_summary_when_the_report_cannot_be_written(self):
        with tempfile.TemporaryDirectory() as work:
            report = os.path.join(work, "no-such-dir", "r.html")
            run = subprocess.run([MAS_RUN, os.path.join(SCENARIOS, "demo.json"), "--out", work, "--log-level", "warn",
                                  "--set", f"sim_bin={SIM_BIN}", "--report", report],
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 1)
            # The last line; the collector process's own line comes before it.
            self.assertRegex(run.stderr.splitlines()[-1],
                             r"^mas-run: error: cannot write the report '.*r\.html': No such file or directory$")
            self.assertIn("simulator steps: 480 in all", run.stdout)
            self.assertTrue(os.path.exists(os.path.join(work, "demo.csv")))

    def test_a_results_directory_that_cannot_be_made(self):
        with tempfile.TemporaryDirectory() as work:
            blocker = os.path.join(work, "file")
            open(blocker, "w").close()  # a file where a directory should go: unwritable even for root
            run = subprocess.run([MAS_RUN, os.path.join(SCENARIOS, "demo.json"), "--out", os.path.join(blocker, "out"),
                                  "--set", f"sim_bin={SIM_BIN}", "--report", os.path.join(work, "r.html")],
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 1)
            self.assertEqual(run.stderr.count("\n"), 1, run.stderr)
            self.assertRegex(run.stderr, r"^mas-run: error: .*Not a directory")
            self.assertFalse(os.path.exists(os.path.join(work, "r.html")))


if __name__ == "__main__":
    unittest.main()
