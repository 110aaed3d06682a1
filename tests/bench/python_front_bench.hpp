#pragma once
// mas-bench's `python` part (issue 17): mosaik scenario scripts with in-process Python simulators
// on mas.mosaik, against mosaik 3.3.3's rates and against the floor, the same Python calls made
// from a plain Python loop. Each run is a python3 child (python_bench.py) of its own.

namespace mas::bench {

class Report;

/// Whether this mas-bench was built with the Python package (MAS_BUILD_PYTHON).
bool python_part_available();

/// Runs both cases `rounds` times, on mas.mosaik and as the floor, and adds their figures.
void run_python_front(int rounds, Report& report);

}  // namespace mas::bench
