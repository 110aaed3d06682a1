// mas-run: runs a co-simulation scenario file with mosaik 3.3's semantics, no Python needed.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "builtin_simulators.hpp"
#include "mas/core/block_on.hpp"
#include "mas/core/error.hpp"
#include "mas/mosaik/orchestrator/run_scenario.hpp"
#include "mas/mosaik/orchestrator/step_trace.hpp"
#include "progress.hpp"
#include "run_report.hpp"
#include "run_record.hpp"

namespace {

struct Options {
    std::string scenario;
    std::optional<std::int64_t> until;
    std::string out = ".";
    std::optional<double> rt_factor;
    std::optional<double> step_timeout;
    std::string log_level = "info";
    std::string trace;
    std::string report;
    std::vector<std::string> settings;  // NAME=VALUE
    bool any_local_peer = false;
};

std::map<std::string, std::string> parse_settings(const std::vector<std::string>& settings) {
    std::map<std::string, std::string> out;
    for (const auto& s : settings) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw mas::ConfigError(fmt::format("--set expects NAME=VALUE, got \"{}\"", s));
        }
        out[s.substr(0, eq)] = s.substr(eq + 1);
    }
    return out;
}

void print_summary(const mas::mosaik::ScenarioSummary& summary, double time_resolution) {
    const double wall = std::chrono::duration<double>(summary.wall_time).count();
    std::int64_t total = 0;
    for (const auto& [sid, steps] : summary.steps) total += steps;
    // Simulated time is counted in time units of time_resolution seconds; simulators' steps are
    // calls of their step method, which an event-based simulator makes fewer of.
    fmt::print("simulated time: 0 to {} in time units of {} s ({} s); wall time: {:.3f} s\n", summary.until,
               time_resolution, static_cast<double>(summary.until) * time_resolution, wall);
    fmt::print("simulator steps: {} in all\n", total);
    for (const auto& [sid, steps] : summary.steps) fmt::print("  {:<24} {:>10}\n", sid, steps);
}

// The one sink of every logger: it ends the progress bar's line before a message.
std::shared_ptr<mas::runner::ProgressAwareSink> log_sink;

int run(const Options& options) {
    std::filesystem::create_directories(options.out);
    mas::mosaik::ScenarioOptions scenario_options;
    scenario_options.variables = parse_settings(options.settings);
    scenario_options.variables.try_emplace("out_dir", std::filesystem::absolute(options.out).string());
    const auto scenario = mas::mosaik::Scenario::load(options.scenario, scenario_options);
    if (!scenario.description().empty()) spdlog::info("{}", scenario.description());

    mas::runner::Progress progress(options.until.value_or(scenario.until()), ::isatty(STDOUT_FILENO) != 0);
    log_sink->watch(&progress);
    struct Unwatch {
        ~Unwatch() { log_sink->watch(nullptr); }
    } unwatch;
    mas::mosaik::StepTrace trace;
    mas::mosaik::ScenarioRunOptions run_options;
    run_options.until = options.until;
    run_options.rt_factor = options.rt_factor;
    if (options.step_timeout) run_options.step_timeout = std::chrono::duration<double>(*options.step_timeout);
    const bool tracing = !options.trace.empty() || !options.report.empty();
    run_options.step_inputs = !options.trace.empty();
    run_options.entity_types = tracing;
    run_options.on_step = [&](const mas::mosaik::StepRecord& step) {
        progress.update(step.progress);
        if (tracing) trace.record(step);
    };
    mas::mosaik::StarterOptions starter_options;
    starter_options.only_own_processes = !options.any_local_peer;
    const auto collector_output = [&progress](const std::string& line) {
        progress.end_line();
        fmt::print("{}\n", line);
        std::fflush(stdout);
    };
    mas::mosaik::SimStarter starter(mas::sims::builtin_simulators(collector_output), starter_options);
    asio::io_context io;
    // The first SIGINT or SIGTERM ends the run as a failure would, with every simulator stopped
    // and the results kept (mosaik does the same); the second ends it at once: leaving run()
    // destroys the run, and with it every simulator process (their groups get SIGKILL). Without
    // this, Ctrl-C left the simulators running: they lead process groups of their own.
    auto control = std::make_shared<mas::mosaik::RunControl>();
    run_options.control = control;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    int signalled = 0;
    bool stopped_at_once = false;
    std::function<void(const std::error_code&, int)> on_signal = [&](const std::error_code& ec, int number) {
        if (ec) return;
        const char* name = number == SIGINT ? "SIGINT" : "SIGTERM";
        if (signalled == 0) {
            signalled = number;
            spdlog::warn("{}: stopping the simulators and keeping the results; again to stop at once", name);
            control->interrupt(fmt::format("interrupted by {}", name));
            signals.async_wait(on_signal);
        } else {
            stopped_at_once = true;
            io.stop();
        }
    };
    signals.async_wait(on_signal);
    mas::mosaik::ScenarioSummary summary;
    try {
        summary = mas::block_on(io, mas::mosaik::run_scenario(scenario, starter, run_options));
    } catch (const std::exception& e) {
        progress.finish();
        if (!options.trace.empty()) trace.write(options.trace);
        if (signalled == 0) throw;
        if (stopped_at_once) {
            fmt::print(stderr, "mas-run: interrupted twice: stopped at once, simulator processes killed\n");
        } else {
            fmt::print(stderr, "mas-run: {}\n", e.what());
        }
        return 128 + signalled;
    }
    signals.cancel();
    progress.finish();
    // The summary first: a report that cannot be written fails the command, not the account of the run.
    print_summary(summary, scenario.world().time_resolution);
    if (tracing) {
        // The trace and the report carry the run's record beside the steps.
        const auto document = mas::runner::with_run_record(trace.to_json(), mas::runner::run_record(scenario, options.scenario, summary));
        if (!options.trace.empty()) {
            mas::mosaik::StepTrace::write(document, options.trace);
            spdlog::info("trace written to {}", options.trace);
        }
        if (!options.report.empty()) {
            mas::runner::write_report(document, options.report);
            fmt::print("report: {}\n", std::filesystem::absolute(options.report).lexically_normal().string());
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("mas-run: runs a co-simulation scenario (mosaik 3 semantics) with C++ and mosaik simulators");
    Options options;
    app.add_option("scenario", options.scenario, "Scenario file (JSON, see docs/scenarios.md)")->required();
    app.add_option("--until", options.until, "Run until this time (exclusive) instead of the scenario's")
        ->check(CLI::PositiveNumber);
    app.add_option("--out", options.out, "Directory for results (the scenario's ${out_dir})")->capture_default_str();
    app.add_option("--rt-factor", options.rt_factor, "Real-time factor: wall seconds per simulated second")
        ->check(CLI::PositiveNumber);
    app.add_option("--step-timeout", options.step_timeout,
                   "Fail the run when a simulator's step or get_data takes longer (seconds); default: no limit")
        ->check(CLI::PositiveNumber);
    app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")->capture_default_str();
    app.add_option("--trace", options.trace, "Write an execution trace (Chrome trace-event JSON) to this file");
    app.add_option("--report", options.report,
                   "Write an HTML report of the run (summary, plots of the collected values, schedule, scenario "
                   "graph) to this file; see docs/report.md");
    app.add_option("--set", options.settings, "Set a scenario variable, NAME=VALUE (repeatable), e.g. sim_bin=DIR")
        ->allow_extra_args(false);
    app.add_flag("--any-local-peer", options.any_local_peer,
                 "Let a cmd simulator's connect-back port take a connection from any process, not only from "
                 "the one mas-run started (for a simulator in a container of its own); see docs/security.md");
    CLI11_PARSE(app, argc, argv);

    log_sink = std::make_shared<mas::runner::ProgressAwareSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    auto logger = std::make_shared<spdlog::logger>("mas-run", log_sink);
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(options.log_level == "warning" ? "warn" : options.log_level));
    try {
        return run(options);
    } catch (const std::exception& e) {
        fmt::print(stderr, "mas-run: error: {}\n", e.what());
        return 1;
    }
}
