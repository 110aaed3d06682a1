// mas-report: makes the HTML report of a run from the trace file mas-run wrote (--trace), as
// mas-run --report does at the end of a run.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "run_report.hpp"

int main(int argc, char** argv) {
    CLI::App app("mas-report: the HTML report of a mas-run run, from its trace file (mas-run --trace)");
    std::string trace;
    std::string out = "report.html";
    mas::runner::ReportOptions options;
    std::string dygraphs = options.dygraphs_dir.string();
    app.add_option("trace", trace, "Trace file of the run (mas-run --trace FILE)")->required();
    app.add_option("-o,--out", out, "The report to write (HTML)")->capture_default_str();
    app.add_option("--max-values", options.max_values,
                   "About how many values the page may hold; beyond, plots keep every n-th time")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--dygraphs", dygraphs, "Directory with dygraph.min.js and dygraph.min.css")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    options.dygraphs_dir = dygraphs;
    try {
        mas::runner::write_report(mas::runner::read_trace(trace), out, options);
        fmt::print("report: {}\n", out);
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "mas-report: error: {}\n", e.what());
        return 1;
    }
}
