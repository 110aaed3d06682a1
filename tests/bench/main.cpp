// mas-bench: the libmas channel against a raw blocking-socket baseline over loopback TCP and a
// Unix socket, JsonCodec on a small frame, agents (issue 2, "Performance"), and the mosaik
// adapter's per-step cost with example-sim (issue 4). Results go to stdout, progress to stderr.

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
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
#include "mas/core/msgpack_codec.hpp"
#include "mosaik_bench.hpp"
#include "msg_bench.hpp"
#include "orchestrator_bench.hpp"
#include "python_front_bench.hpp"
#include "results_bench.hpp"
#include "raw_baseline.hpp"
#include "raw_step_server.hpp"
#include "raw_stream.hpp"
#include "report.hpp"
#include "scale_bench.hpp"

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

// Per-round figures of one implementation; each is reported as median, min and max over rounds.
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

// The raw side is arranged as the libmas one it divides: a server thread and the client on this
// thread, one connection (TCP_NODELAY on both ends), one blocking wait per message each way.
void run_transport(const std::string& prefix, const mas::Endpoint& raw_endpoint, const mas::Endpoint& mas_endpoint,
                   const Options& options, Report& report, bool with_msgpack = false) {
    RawBench raw(raw_endpoint);
    ChannelBench mas(mas_endpoint);
    // The same channel with the MsgPack codec, measured in the same rounds as the JSON one.
    std::optional<ChannelBench> msgpack;
    if (with_msgpack) msgpack.emplace(mas_endpoint, std::make_shared<mas::MsgPackCodec>());
    Rounds raw_rounds;
    Rounds mas_rounds;
    Rounds msgpack_rounds;
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
        if (msgpack) run_round(*msgpack, label("mas.msgpack"), options, msgpack_rounds);
    }
    const auto pipe = fmt::format("pipe{}", in_flight);
    report.add_rounds(prefix + ".raw.seq.p50_us", raw_rounds.p50_us, "us");
    report.add_rounds(prefix + ".raw.seq.p99_us", raw_rounds.p99_us, "us");
    report.add_rounds(prefix + ".mas.seq.p50_us", mas_rounds.p50_us, "us");
    report.add_rounds(prefix + ".mas.seq.p99_us", mas_rounds.p99_us, "us");
    report.add_rounds(prefix + ".raw." + pipe + ".per_s", raw_rounds.per_s, "1/s");
    report.add_rounds(prefix + ".mas." + pipe + ".per_s", mas_rounds.per_s, "1/s");
    report.add_round_ratio(prefix + ".seq.p50_ratio", prefix + ".mas.seq.p50_us", prefix + ".raw.seq.p50_us",
                           Goal{Goal::Kind::at_most, 1.3});
    report.add_round_ratio(prefix + "." + pipe + ".ratio", prefix + ".mas." + pipe + ".per_s",
                           prefix + ".raw." + pipe + ".per_s", Goal{Goal::Kind::at_least, 0.6});
    if (msgpack) {
        report.add_rounds(prefix + ".mas.msgpack.seq.p50_us", msgpack_rounds.p50_us, "us");
        report.add_rounds(prefix + ".mas.msgpack." + pipe + ".per_s", msgpack_rounds.per_s, "1/s");
        report.add_round_ratio(prefix + ".msgpack." + pipe + ".vs_json", prefix + ".mas.msgpack." + pipe + ".per_s",
                               prefix + ".mas." + pipe + ".per_s", Goal{Goal::Kind::at_least, 0.9});
    }
}

void run_json(Report& report) {
    spdlog::info("json: encode and decode of a small frame");
    const auto timings = measure_json();
    report.add("json.frame.encode_decode_ns", timings.encode_decode_ns, "ns", Goal{Goal::Kind::below, 1000});
    report.add("json.frame.encode_ns", timings.encode_ns, "ns");
    report.add("json.frame.decode_ns", timings.decode_ns, "ns");
}

// Every codec measured alike, round by round in turn, so that the ratios to JSON compare figures
// taken next to each other.
void run_codec(Report& report, int rounds) {
    const std::vector<std::string> names{"json", "msgpack", "msgpack-blosc"};
    std::vector<std::vector<double>> frame_ns(names.size());
    std::vector<std::vector<double>> mib_ms(names.size());
    for (int round = 1; round <= rounds; ++round) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            spdlog::info("codec.{} round {}/{}: a small frame and 1 MiB of floats", names[i], round, rounds);
            const auto timings = measure_codec(*mas::make_codec(names[i]));
            frame_ns[i].push_back(timings.frame_encode_decode_ns);
            mib_ms[i].push_back(timings.mib_encode_decode_ms);
        }
    }
    const auto metric = [](const std::string& name) {
        auto out = name;
        std::replace(out.begin(), out.end(), '-', '_');
        return "codec." + out;
    };
    for (std::size_t i = 0; i < names.size(); ++i) {
        report.add_rounds(metric(names[i]) + ".frame.encode_decode_ns", frame_ns[i], "ns");
        report.add_rounds(metric(names[i]) + ".1mib.encode_decode_ms", mib_ms[i], "ms");
    }
    // MsgPack's goal: a small frame costs at most what JSON's does.
    report.add_round_ratio("codec.msgpack.frame.vs_json", "codec.msgpack.frame.encode_decode_ns",
                           "codec.json.frame.encode_decode_ns", Goal{Goal::Kind::at_most, 1.0});
    report.add_round_ratio("codec.msgpack_blosc.frame.vs_json", "codec.msgpack_blosc.frame.encode_decode_ns",
                           "codec.json.frame.encode_decode_ns");
}

void run_agent_memory(Report& report) {
    constexpr std::size_t agents = 100'000;
    spdlog::info("agent: memory of one container with {} idle agents", agents);
    report.add("agent.memory.idle_100k_mib", idle_agents_memory_mib(agents), "MiB", Goal{Goal::Kind::below, 100});
}

void run_agents(const Options& options, Report& report) {
    const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
    AgentBench bench(self);
    Rounds rounds;
    for (int round = 1; round <= options.rounds; ++round) {
        run_round(bench, fmt::format("agent round {}/{}", round, options.rounds), options, rounds);
    }
    const auto pipe = fmt::format("pipe{}", in_flight);
    report.add_rounds("agent.tcp.seq.p50_us", rounds.p50_us, "us");
    report.add_rounds("agent.tcp.seq.p99_us", rounds.p99_us, "us");
    report.add_rounds("agent.tcp." + pipe + ".per_s", rounds.per_s, "1/s");
    // Against the plain channel of the same run: at most 20% slower. The channel's rounds ran in
    // the tcp part, before these, so round i is paired with its round i.
    if (report.find("tcp.mas.seq.p50_us") != nullptr) {
        report.add_round_ratio("agent.seq.p50_ratio", "agent.tcp.seq.p50_us", "tcp.mas.seq.p50_us",
                               Goal{Goal::Kind::at_most, 1.2});
    }
    if (report.find("tcp.mas." + pipe + ".per_s") != nullptr) {
        report.add_round_ratio("agent." + pipe + ".ratio", "agent.tcp." + pipe + ".per_s", "tcp.mas." + pipe + ".per_s",
                               Goal{Goal::Kind::at_least, 1 / 1.2});
    }
}

void add_step_figures(Report& report, const std::string& prefix, const Rounds& rounds) {
    report.add_rounds(prefix + ".step.p50_us", rounds.p50_us, "us");
    report.add_rounds(prefix + ".step.p99_us", rounds.p99_us, "us");
    report.add_rounds(prefix + ".step.per_s", rounds.per_s, "1/s");
}

void run_steps(MosaikBench& bench, std::size_t steps, const std::string& label, Rounds& out) {
    spdlog::info("{}: {} time steps (step + get_data)", label, steps);
    const auto times = bench.run(std::max<std::size_t>(steps / 10, 10), steps);
    out.p50_us.push_back(times.latency.p50_us);
    out.p99_us.push_back(times.latency.p99_us);
    out.per_s.push_back(times.per_s);
}

void run_mosaik(const Options& options, Report& report) {
    const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
    // A time step is two round trips, so half as many steps as round trips elsewhere; with 1,000
    // entities a step costs about a hundred times more.
    const auto steps = std::max<std::size_t>(options.iterations / 2, 100);
    const auto big_steps = std::max<std::size_t>(options.iterations / 100, 20);
    spdlog::info("mosaik: starting example-sim twice, with 1 and with 1,000 entities, and the raw step server");
    MosaikBench one(self, 1);
    MosaikBench many(self, 1000);
    one.run(steps / 10, 1);  // warms up and yields the replies the raw baseline sends
    // The baseline is measured as the figure it divides: a child process connected back over
    // loopback, driven by the same code with the same requests, timed per step (both round trips
    // together), in the same rounds. It used to be two server threads of this process whose p50s
    // of separate runs were added up: placed and woken unlike example-sim, and a wake-up on the
    // driver's own core, or on a machine kept busy by other work, costs a fraction of one that
    // wakes an idle core (pinned to one core, the raw step took 12 us here instead of 37), which
    // is how it could read 7.9 us in one run and 55-61 us in others.
    MosaikBench raw(self, one, RawTwin{});
    Rounds one_rounds;
    Rounds many_rounds;
    Rounds raw_rounds;
    for (int round = 1; round <= options.rounds; ++round) {
        const auto label = [&](const char* who) { return fmt::format("mosaik.{} round {}/{}", who, round, options.rounds); };
        // Alternate who goes first, as for the transports.
        if (round % 2 == 0) run_steps(one, steps, label("1"), one_rounds);
        run_steps(raw, steps, label("raw"), raw_rounds);
        if (round % 2 == 1) run_steps(one, steps, label("1"), one_rounds);
        run_steps(many, big_steps, label("1000"), many_rounds);
    }
    one.stop();
    many.stop();
    raw.stop();
    add_step_figures(report, "mosaik.1", one_rounds);
    add_step_figures(report, "mosaik.1000", many_rounds);
    report.add_rounds("mosaik.raw.2rt.p50_us", raw_rounds.p50_us, "us");
    report.add_rounds("mosaik.raw.2rt.p99_us", raw_rounds.p99_us, "us");
    report.add_round_ratio("mosaik.1.vs_2raw.p50_ratio", "mosaik.1.step.p50_us", "mosaik.raw.2rt.p50_us",
                           Goal{Goal::Kind::at_most, 1.5});
}

bool msg_selected(const Options& options) {
    const auto parts = msg_parts({});
    return std::any_of(parts.begin(), parts.end(),
                       [&](const MsgPart& part) { return options.selected("msg." + part.name); });
}

std::vector<MsgPart> selected_msg_parts(const Options& options) {
    const ThroughputPhases phases{std::chrono::milliseconds(options.warmup_ms),
                                  std::chrono::milliseconds(options.duration_ms)};
    auto parts = msg_parts(phases);
    std::erase_if(parts, [&](const MsgPart& part) { return !options.selected("msg." + part.name); });
    return parts;
}

// The raw stream over as many connections as the libmas parts it divides have peers, so that
// round-robin over four divides by four raw connections read by one thread, not by one.
std::string raw_stream_name(std::size_t connections) {
    return connections == 1 ? "msg.raw.stream.per_s" : fmt::format("msg.raw.stream{}.per_s", connections);
}

void run_msg(const Options& options, Report& report) {
    const auto parts = selected_msg_parts(options);
    std::map<std::size_t, std::vector<double>> raw;  // by connections
    for (const auto& part : parts) raw.try_emplace(part.run.peers);
    std::vector<std::vector<double>> mas(parts.size());
    const auto run_raw = [&](int round) {
        for (auto& [connections, rates] : raw) {
            spdlog::info("msg round {}/{}: raw one-way stream of DATA frames over {} connection(s)", round,
                         options.rounds, connections);
            rates.push_back(raw_stream_throughput(msg_payload, connections, parts.front().run.phases));
        }
    };
    for (int round = 1; round <= options.rounds; ++round) {
        // Alternate who goes first, as for the transports.
        if (round % 2 == 1) run_raw(round);
        for (std::size_t i = 0; i < parts.size(); ++i) {
            spdlog::info("msg round {}/{}: smart socket, {}", round, options.rounds, parts[i].name);
            mas[i].push_back(msg_throughput(parts[i].run));
        }
        if (round % 2 == 0) run_raw(round);
    }
    for (const auto& [connections, rates] : raw) report.add_rounds(raw_stream_name(connections), rates, "1/s");
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto name = fmt::format("msg.{}", parts[i].name);
        report.add_rounds(name + ".per_s", mas[i], "1/s");
        std::optional<Goal> goal;
        if (parts[i].goal) goal = Goal{Goal::Kind::at_least, 0.6};
        report.add_round_ratio(name + ".ratio", name + ".per_s", raw_stream_name(parts[i].run.peers), goal);
    }
}

void run(const Options& options) {
    Report report;
    if (options.selected("tcp")) {
        const auto loopback = mas::Endpoint::tcp("127.0.0.1", 0);
        run_transport("tcp", loopback, loopback, options, report, true);
    }
    if (options.selected("unix")) {
        const TempDir dir;
        run_transport("unix", mas::Endpoint::unix_socket(dir.socket("raw.sock")),
                      mas::Endpoint::unix_socket(dir.socket("mas.sock")), options, report);
    }
    if (options.selected("json")) run_json(report);
    if (options.selected("codec")) run_codec(report, options.rounds);
    if (options.selected("agent")) {
        run_agents(options, report);
        run_agent_memory(report);
    }
    if (options.selected("mosaik")) run_mosaik(options, report);
    if (msg_selected(options)) run_msg(options, report);
    const OrchestratorRuns orchestrator{options.selected("orchestrator.2"), options.selected("orchestrator.2proc"),
                                        options.selected("orchestrator.chain")};
    if (orchestrator.any()) {
        run_orchestrator(std::filesystem::read_symlink("/proc/self/exe").string(), orchestrator, options.rounds, report);
    }
    if (options.selected("scale")) {
        run_scale(std::filesystem::read_symlink("/proc/self/exe").string(), options.rounds, report);
    }
    if (options.selected("results")) run_results(options.rounds, report);
    if (options.selected("python")) {
        if (python_part_available()) {
            run_python_front(options.rounds, report);
        } else if (!options.only.empty()) {
            throw std::runtime_error("the python part needs a build with the Python package (MAS_BUILD_PYTHON=ON)");
        }
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
    std::vector<std::string> parts{"tcp", "unix", "json", "codec", "agent", "mosaik", "msg", "scale", "results", "python"};
    for (const auto& part : msg_parts({})) parts.push_back("msg." + part.name);
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
    // the manager's own options), or by the mosaik benchmark as the simulator or its raw baseline
    // server: drop the flag and run as the child.
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
    if (argc > 1 && argv[1] == mas::bench::scale_child_flag) {
        args.erase(args.begin() + 1);
        return mas::bench::run_scale_child(static_cast<int>(args.size()), args.data());
    }
    if (argc > 1 && argv[1] == mas::bench::mosaik_sim_child_flag) {
        args.erase(args.begin() + 1);
        return mas::bench::run_mosaik_child(static_cast<int>(args.size()), args.data());
    }
    if (argc > 1 && argv[1] == mas::bench::raw_step_child_flag) {
        args.erase(args.begin() + 1);
        return mas::bench::run_raw_step_child(static_cast<int>(args.size()), args.data());
    }
    CLI::App app("Measures libmas channels against raw blocking sockets over loopback, agent-to-agent calls "
                 "between two processes, the memory of idle agents, the codecs, mosaik time steps of "
                 "example-sim in a child process, whole orchestrator runs, how scenario runs grow with their "
                 "entities, writing results as CSV and HDF5, and mosaik scripts with in-process Python simulators "
                 "on mas.mosaik.",
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
