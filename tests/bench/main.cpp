// mas-bench: the libmas channel against a raw blocking-socket baseline over loopback TCP and a
// Unix socket, JsonCodec on a small frame, agents (issue 2, "Performance"), and the mosaik
// adapter's per-step cost with example-sim (issue 4). Results go to stdout, progress to stderr.

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "agent_bench.hpp"
#include "agent_memory.hpp"
#include "channel_bench.hpp"
#include "json_bench.hpp"
#include "mosaik_bench.hpp"
#include "msg_bench.hpp"
#include "orchestrator_bench.hpp"
#include "raw_baseline.hpp"
#include "report.hpp"

namespace {

using namespace mas::bench;

constexpr std::size_t in_flight = 64;

struct Options {
    bool json = false;
    std::size_t iterations = 20'000;
    int rounds = 3;
    int duration_ms = 1000;
    int warmup_ms = 200;
    std::vector<std::string> only;
    std::string log_level = "info";

    [[nodiscard]] bool selected(const std::string& part) const {
        // "orchestrator" also selects "orchestrator.chain" and the other parts under it.
        return only.empty() || std::any_of(only.begin(), only.end(), [&](const std::string& name) {
                   return part == name || (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '.');
               });
    }
};

// A private directory for the Unix sockets, removed on exit.
class TempDir {
public:
    TempDir() {
        auto pattern = (std::filesystem::temp_directory_path() / "mas-bench-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::system_error(errno, std::generic_category(), "cannot create a temporary directory");
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::string socket(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// Per-round figures of one implementation; each reported figure is the median over rounds.
struct Rounds {
    std::vector<double> p50_us, p99_us, per_s;
};

void run_round(RoundTripBench& bench, const std::string& label, const Options& options, Rounds& out) {
    const auto warmup = std::max<std::size_t>(options.iterations / 10, 100);
    spdlog::info("{}: {} sequential round trips", label, options.iterations);
    const auto latency = bench.sequential(warmup, options.iterations);
    out.p50_us.push_back(latency.p50_us);
    out.p99_us.push_back(latency.p99_us);
    spdlog::info("{}: {} ms with {} requests in flight", label, options.duration_ms, in_flight);
    const ThroughputPhases phases{std::chrono::milliseconds(options.warmup_ms),
                                  std::chrono::milliseconds(options.duration_ms)};
    out.per_s.push_back(bench.pipelined(in_flight, phases));
    spdlog::debug("{}: p50 {:.2f} us, p99 {:.2f} us, {:.0f}/s", label, latency.p50_us, latency.p99_us,
                  out.per_s.back());
}

void run_transport(const std::string& prefix, const mas::Endpoint& raw_endpoint, const mas::Endpoint& mas_endpoint,
                   const Options& options, Report& report) {
    RawBench raw(raw_endpoint);
    ChannelBench mas(mas_endpoint);
    Rounds raw_rounds;
    Rounds mas_rounds;
    for (int round = 1; round <= options.rounds; ++round) {
        const auto label = [&](const char* who) {
            return fmt::format("{}.{} round {}/{}", prefix, who, round, options.rounds);
        };
        // Alternate who goes first, so slow drift of the machine does not favour either side.
        if (round % 2 == 1) {
            run_round(raw, label("raw"), options, raw_rounds);
            run_round(mas, label("mas"), options, mas_rounds);
        } else {
            run_round(mas, label("mas"), options, mas_rounds);
            run_round(raw, label("raw"), options, raw_rounds);
        }
    }
    const auto pipe = fmt::format("pipe{}", in_flight);
    report.add(prefix + ".raw.seq.p50_us", median(raw_rounds.p50_us), "us");
    report.add(prefix + ".raw.seq.p99_us", median(raw_rounds.p99_us), "us");
    report.add(prefix + ".mas.seq.p50_us", median(mas_rounds.p50_us), "us");
    report.add(prefix + ".mas.seq.p99_us", median(mas_rounds.p99_us), "us");
    report.add(prefix + ".raw." + pipe + ".per_s", median(raw_rounds.per_s), "1/s");
    report.add(prefix + ".mas." + pipe + ".per_s", median(mas_rounds.per_s), "1/s");
    report.add_ratio(prefix + ".seq.p50_ratio", median(mas_rounds.p50_us), median(raw_rounds.p50_us),
                     Goal{Goal::Kind::at_most, 1.3});
    report.add_ratio(prefix + "." + pipe + ".ratio", median(mas_rounds.per_s), median(raw_rounds.per_s),
                     Goal{Goal::Kind::at_least, 0.6});
}

void run_json(Report& report) {
    spdlog::info("json: encode and decode of a small frame");
    const auto timings = measure_json();
    report.add("json.frame.encode_decode_ns", timings.encode_decode_ns, "ns", Goal{Goal::Kind::below, 1000});
    report.add("json.frame.encode_ns", timings.encode_ns, "ns");
    report.add("json.frame.decode_ns", timings.decode_ns, "ns");
}

void run_agent_memory(Report& report) {
    constexpr std::size_t agents = 100'000;
    spdlog::info("agent: memory of one container with {} idle agents", agents);
    report.add("agent.memory.idle_100k_mib", idle_agents_memory_mib(agents), "MiB", Goal{Goal::Kind::below, 100});
}

std::optional<double> find(const Report& report, const std::string& name) {
    for (const auto& metric : report.metrics()) {
        if (metric.name == name) return metric.value;
    }
    return std::nullopt;
}

void run_agents(const Options& options, Report& report) {
    const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
    AgentBench bench(self);
    Rounds rounds;
    for (int round = 1; round <= options.rounds; ++round) {
        run_round(bench, fmt::format("agent round {}/{}", round, options.rounds), options, rounds);
    }
    const auto pipe = fmt::format("pipe{}", in_flight);
    report.add("agent.tcp.seq.p50_us", median(rounds.p50_us), "us");
    report.add("agent.tcp.seq.p99_us", median(rounds.p99_us), "us");
    report.add("agent.tcp." + pipe + ".per_s", median(rounds.per_s), "1/s");
    // Against the plain channel of the same run: at most 20% slower.
    if (const auto channel_p50 = find(report, "tcp.mas.seq.p50_us")) {
        report.add_ratio("agent.seq.p50_ratio", median(rounds.p50_us), *channel_p50, Goal{Goal::Kind::at_most, 1.2});
    }
    if (const auto channel_rate = find(report, "tcp.mas." + pipe + ".per_s")) {
        report.add_ratio("agent." + pipe + ".ratio", median(rounds.per_s), *channel_rate,
                         Goal{Goal::Kind::at_least, 1 / 1.2});
    }
}

void add_step_figures(Report& report, const std::string& prefix, const Rounds& rounds) {
    report.add(prefix + ".step.p50_us", median(rounds.p50_us), "us");
    report.add(prefix + ".step.p99_us", median(rounds.p99_us), "us");
    report.add(prefix + ".step.per_s", median(rounds.per_s), "1/s");
}

void run_steps(MosaikBench& bench, std::size_t steps, const std::string& label, Rounds& out) {
    spdlog::info("{}: {} time steps (step + get_data)", label, steps);
    const auto times = bench.run(std::max<std::size_t>(steps / 10, 10), steps);
    out.p50_us.push_back(times.latency.p50_us);
    out.p99_us.push_back(times.latency.p99_us);
    out.per_s.push_back(times.per_s);
}

// Two raw round trips with the bytes of one 1-entity time step: step, then get_data.
double raw_time_step_p50(RawBench& step, RawBench& get_data, std::size_t iterations, const std::string& label) {
    spdlog::info("{}: {} raw step and get_data round trips", label, iterations);
    const auto warmup = std::max<std::size_t>(iterations / 10, 100);
    return step.sequential(warmup, iterations).p50_us + get_data.sequential(warmup, iterations).p50_us;
}

void run_mosaik(const Options& options, Report& report) {
    const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
    // A time step is two round trips, so half as many steps as round trips elsewhere; with 1,000
    // entities a step costs about a hundred times more.
    const auto steps = std::max<std::size_t>(options.iterations / 2, 100);
    const auto big_steps = std::max<std::size_t>(options.iterations / 100, 20);
    spdlog::info("mosaik: starting example-sim twice, with 1 and with 1,000 entities");
    MosaikBench one(self, 1);
    MosaikBench many(self, 1000);
    one.run(steps / 10, 1);  // warms up and yields the frames the raw baseline sends
    const auto frames = one.last_frames();
    const auto loopback = mas::Endpoint::tcp("127.0.0.1", 0);
    RawBench raw_step(loopback, frames.step_request, frames.step_reply);
    RawBench raw_get_data(loopback, frames.get_data_request, frames.get_data_reply);
    Rounds one_rounds;
    Rounds many_rounds;
    std::vector<double> raw_p50_us;
    for (int round = 1; round <= options.rounds; ++round) {
        const auto label = [&](const char* who) { return fmt::format("mosaik.{} round {}/{}", who, round, options.rounds); };
        // Alternate who goes first, as for the transports.
        if (round % 2 == 0) run_steps(one, steps, label("1"), one_rounds);
        raw_p50_us.push_back(raw_time_step_p50(raw_step, raw_get_data, steps, label("raw")));
        if (round % 2 == 1) run_steps(one, steps, label("1"), one_rounds);
        run_steps(many, big_steps, label("1000"), many_rounds);
    }
    one.stop();
    many.stop();
    add_step_figures(report, "mosaik.1", one_rounds);
    add_step_figures(report, "mosaik.1000", many_rounds);
    report.add("mosaik.raw.2rt.p50_us", median(raw_p50_us), "us");
    report.add_ratio("mosaik.1.vs_2raw.p50_ratio", median(one_rounds.p50_us), median(raw_p50_us),
                     Goal{Goal::Kind::at_most, 1.5});
}

// Three sequential raw round trips with the bytes of one time step of the two-process chain.
double raw_chain_step_us(const ChainFrames& frames, std::size_t iterations) {
    const auto loopback = mas::Endpoint::tcp("127.0.0.1", 0);
    RawBench a_step(loopback, frames.a_step, frames.a_step_reply);
    RawBench a_get_data(loopback, frames.a_get_data, frames.a_get_data_reply);
    RawBench b_step(loopback, frames.b_step, frames.b_step_reply);
    const auto warmup = std::max<std::size_t>(iterations / 10, 100);
    return a_step.sequential(warmup, iterations).p50_us + a_get_data.sequential(warmup, iterations).p50_us +
           b_step.sequential(warmup, iterations).p50_us;
}

void run_orchestrator(const Options& options, Report& report) {
    const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
    // mosaik 3.3 with trivial Python simulators on the same kind of machine (issue 5).
    constexpr double mosaik_2 = 8'900;
    constexpr double mosaik_2_processes = 1'370;
    constexpr double mosaik_chain = 510;
    std::vector<double> two;
    std::vector<double> processes;
    std::vector<double> chain;
    std::vector<double> raw_us;
    for (int round = 1; round <= options.rounds; ++round) {
        const auto label = fmt::format("round {}/{}", round, options.rounds);
        if (options.selected("orchestrator.2")) {
            spdlog::info("orchestrator {}: 2 in-process simulators, 100,000 steps", label);
            two.push_back(run_chain(ChainRun{2, 1, 100'000, {}}));
        }
        if (options.selected("orchestrator.2proc")) {
            spdlog::info("orchestrator {}: 2 simulator processes over TCP, 20,000 steps", label);
            processes.push_back(run_chain(ChainRun{2, 1, 20'000, self}));
            spdlog::info("orchestrator {}: 3 raw round trips per step, 20,000 steps", label);
            raw_us.push_back(raw_chain_step_us(chain_frames(), 20'000));
        }
        if (options.selected("orchestrator.chain")) {
            spdlog::info("orchestrator {}: chain of 10 in-process simulators x 100 entities, 1,000 steps", label);
            chain.push_back(run_chain(ChainRun{10, 100, 1'000, {}}));
        }
    }
    if (!two.empty()) {
        report.add("orchestrator.2.per_s", median(two), "1/s");
        report.add_ratio("orchestrator.2.vs_mosaik", median(two), mosaik_2, Goal{Goal::Kind::at_least, 100});
    }
    if (!processes.empty()) {
        report.add("orchestrator.2proc.per_s", median(processes), "1/s");
        report.add_ratio("orchestrator.2proc.vs_mosaik", median(processes), mosaik_2_processes,
                         Goal{Goal::Kind::at_least, 5});
        const double raw_per_s = 1e6 / median(raw_us);
        report.add("orchestrator.raw.3rt.per_s", raw_per_s, "1/s");
        // Within 1.5x of the loopback limit: at least 1/1.5 of its rate.
        report.add_ratio("orchestrator.2proc.vs_3raw", median(processes), raw_per_s,
                         Goal{Goal::Kind::at_least, 1 / 1.5});
    }
    if (!chain.empty()) {
        report.add("orchestrator.chain10x100.per_s", median(chain), "1/s");
        report.add_ratio("orchestrator.chain10x100.vs_mosaik", median(chain), mosaik_chain,
                         Goal{Goal::Kind::at_least, 20});
    }
}

// The smart-socket parts, selectable as msg.<name> (msg selects them all).
const std::vector<std::string> msg_part_names{
    "publish1.at_most_once",     "publish1.at_most_once.nowait", "roundrobin4.at_most_once",
    "roundrobin4.at_most_once.nowait", "roundrobin1.at_least_once",      "roundrobin4.at_least_once",
};

bool msg_selected(const Options& options) {
    return std::any_of(msg_part_names.begin(), msg_part_names.end(),
                       [&](const std::string& name) { return options.selected("msg." + name); });
}

void run_msg(const Options& options, Report& report) {
    const ThroughputPhases phases{std::chrono::milliseconds(options.warmup_ms),
                                  std::chrono::milliseconds(options.duration_ms)};
    struct Part {
        std::string name;
        MsgRun run;
        bool goal;  // at-most-once: at least 60% of the raw stream
    };
    using mas::msg::Delivery;
    using mas::msg::SendMode;
    const std::vector<Part> all_parts{
        {msg_part_names[0], {SendMode::publish, Delivery::at_most_once, 1, false, phases}, true},
        {msg_part_names[1], {SendMode::publish, Delivery::at_most_once, 1, true, phases}, true},
        {msg_part_names[2], {SendMode::round_robin, Delivery::at_most_once, 4, false, phases}, true},
        {msg_part_names[3], {SendMode::round_robin, Delivery::at_most_once, 4, true, phases}, true},
        {msg_part_names[4], {SendMode::round_robin, Delivery::at_least_once, 1, false, phases}, false},
        {msg_part_names[5], {SendMode::round_robin, Delivery::at_least_once, 4, false, phases}, false},
    };
    std::vector<Part> parts;
    for (const auto& part : all_parts) {
        if (options.selected(fmt::format("msg.{}", part.name))) parts.push_back(part);
    }
    std::vector<double> raw;
    std::vector<std::vector<double>> mas(parts.size());
    for (int round = 1; round <= options.rounds; ++round) {
        spdlog::info("msg round {}/{}: raw one-way stream of DATA frames", round, options.rounds);
        raw.push_back(raw_stream_throughput(phases));
        for (std::size_t i = 0; i < parts.size(); ++i) {
            spdlog::info("msg round {}/{}: smart socket, {}", round, options.rounds, parts[i].name);
            mas[i].push_back(msg_throughput(parts[i].run));
        }
    }
    report.add("msg.raw.stream.per_s", median(raw), "1/s");
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto name = fmt::format("msg.{}", parts[i].name);
        report.add(name + ".per_s", median(mas[i]), "1/s");
        if (parts[i].goal) {
            report.add_ratio(name + ".ratio", median(mas[i]), median(raw), Goal{Goal::Kind::at_least, 0.6});
        } else {
            report.add_ratio(name + ".ratio", median(mas[i]), median(raw), std::nullopt);
        }
    }
}

void run(const Options& options) {
    Report report;
    if (options.selected("tcp")) {
        const auto loopback = mas::Endpoint::tcp("127.0.0.1", 0);
        run_transport("tcp", loopback, loopback, options, report);
    }
    if (options.selected("unix")) {
        const TempDir dir;
        run_transport("unix", mas::Endpoint::unix_socket(dir.socket("raw.sock")),
                      mas::Endpoint::unix_socket(dir.socket("mas.sock")), options, report);
    }
    if (options.selected("json")) run_json(report);
    if (options.selected("agent")) {
        run_agents(options, report);
        run_agent_memory(report);
    }
    if (options.selected("mosaik")) run_mosaik(options, report);
    if (msg_selected(options)) run_msg(options, report);
    if (options.selected("orchestrator.2") || options.selected("orchestrator.2proc") ||
        options.selected("orchestrator.chain")) {
        run_orchestrator(options, report);
    }
    if (options.json) {
        report.print_json(stdout);
    } else {
        report.print_table(stdout);
    }
}

void configure_logging(const std::string& level) {
    // Results own stdout; progress and diagnostics (including libmas' loggers) go to stderr.
    auto logger = spdlog::stderr_color_mt("mas-bench");
    logger->set_pattern("[%H:%M:%S.%e] [%n] [%l] %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
}

void add_options(CLI::App& app, Options& options) {
    app.add_flag("--json", options.json, "Print one JSON object per line instead of a table");
    app.add_option("--iterations", options.iterations, "Sequential round trips per round")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}))
        ->capture_default_str();
    app.add_option("--rounds", options.rounds, "Rounds per transport; each figure is their median")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app.add_option("--duration-ms", options.duration_ms, "Measured time of each throughput phase")
        ->check(CLI::Range(1, 3'600'000))
        ->capture_default_str();
    app.add_option("--warmup-ms", options.warmup_ms, "Unmeasured lead-in of each throughput phase")
        ->check(CLI::Range(0, 600'000))
        ->capture_default_str();
    std::vector<std::string> parts{"tcp", "unix", "json", "agent", "mosaik", "msg"};
    for (const auto& name : msg_part_names) parts.push_back("msg." + name);
    for (const char* name : {"orchestrator", "orchestrator.2", "orchestrator.2proc", "orchestrator.chain"}) {
        parts.emplace_back(name);
    }
    app.add_option("--only", options.only, "Run only these parts (repeatable)")->check(CLI::IsMember(parts));
    app.add_option("--log-level", options.log_level, "Diagnostics on stderr")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
    // Started by the agent benchmark as the callee's subprocess container (the flag comes after
    // the manager's own options), or by the mosaik benchmark as the simulator: drop the flag and
    // run as the child.
    std::vector<char*> args(argv, argv + argc);
    const auto flag = std::find(args.begin(), args.end(), mas::bench::subproc_child_flag);
    if (flag != args.end()) {
        args.erase(flag);
        return mas::bench::run_agent_child(static_cast<int>(args.size()), args.data());
    }
    if (argc > 1 && argv[1] == mas::bench::orchestrator_sim_child_flag) {
        args.erase(args.begin() + 1);
        return mas::bench::run_orchestrator_child(static_cast<int>(args.size()), args.data());
    }
    if (argc > 1 && argv[1] == mas::bench::mosaik_sim_child_flag) {
        args.erase(args.begin() + 1);
        return mas::bench::run_mosaik_child(static_cast<int>(args.size()), args.data());
    }
    CLI::App app("Measures libmas channels against raw blocking sockets over loopback, agent-to-agent calls "
                 "between two processes, the memory of idle agents, JsonCodec, mosaik time steps of "
                 "example-sim in a child process, and whole orchestrator runs.",
                 "mas-bench");
    Options options;
    add_options(app, options);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        fmt::print(stderr, "mas-bench: error: {}\n", e.what());
        return 2;
    }
    try {
        configure_logging(options.log_level);
        run(options);
    } catch (const std::exception& e) {
        std::fflush(stdout);
        fmt::print(stderr, "mas-bench: error: {}\n", e.what());
        return 1;
    }
    return 0;
}
