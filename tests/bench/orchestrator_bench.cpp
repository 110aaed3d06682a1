#include "orchestrator_bench.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "mas/channel/frame.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "mas/mosaik/orchestrator/world.hpp"
#include "mas/mosaik/run_simulator.hpp"
#include "raw_chain.hpp"
#include "report.hpp"

namespace mas::bench {
namespace {

// As trivial as mosaik's benchmark simulators: each entity's out is the sum of its inputs + 1,
// so along a chain of n simulators the last one's out is n.
class ChainSim final : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string&, double, const JsonObject&) override {
        mosaik::Meta meta(mosaik::SimType::time_based);
        meta.model("Node").attrs({"in", "out"});
        return meta;
    }

    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject&) override {
        std::vector<mosaik::Entity> out;
        for (std::int64_t i = 0; i < num; ++i) {
            auto eid = fmt::format("n{}", ids_.size());
            positions_.emplace(eid, ids_.size());
            ids_.push_back(eid);
            values_.push_back(0);
            out.emplace_back(std::move(eid), model);
        }
        return out;
    }

    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t) override {
        for (std::size_t i = 0; i < ids_.size(); ++i) values_[i] = inputs.sum(ids_[i], "in") + 1;
        co_return time + 1;
    }

    [[nodiscard]] double first_value() const { return values_.at(0); }

    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override {
        mosaik::Outputs out(request);
        for (const auto& [eid, attrs] : request) {
            const auto found = positions_.find(eid);
            if (found == positions_.end()) throw std::invalid_argument("Unknown entity: " + eid);
            for (const auto& attr : attrs) out.set(eid, attr, values_[found->second]);
        }
        return out;
    }

private:
    std::vector<std::string> ids_;
    std::vector<double> values_;
    std::unordered_map<std::string, std::size_t> positions_;
};

std::unique_ptr<mosaik::Simulator> make_chain_sim() { return std::make_unique<ChainSim>(); }

std::string sid_of(std::size_t k) { return fmt::format("Sim-{}", k); }

// The single-quoted shell word for `text` (the starter splits command lines like a shell).
std::string quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

asio::awaitable<void> run_world(const ChainRun& run, double& last_in) {
    mosaik::SimRegistry registry;
    std::vector<ChainSim*> local_sims;
    registry.add("ChainSim", [&local_sims] {
        auto sim = std::make_unique<ChainSim>();
        local_sims.push_back(sim.get());
        return sim;
    });
    mosaik::SimStarter starter(std::move(registry));
    mosaik::World world;
    std::vector<std::vector<mosaik::EntityRef>> entities;
    for (std::size_t k = 0; k < run.sims; ++k) {
        mosaik::SimConfig config(mosaik::SimConfig::Kind::in_process, "ChainSim");
        if (!run.self.empty()) {
            config = mosaik::SimConfig(mosaik::SimConfig::Kind::cmd,
                                       fmt::format("{} {} %(addr)s -l warn", quoted(run.self),
                                                   orchestrator_sim_child_flag));
        }
        auto proxy = co_await starter.start(sid_of(k), std::move(config));
        co_await world.add_simulator(std::move(proxy));
        const auto sid = sid_of(k);
        const auto count = static_cast<std::int64_t>(run.entities);
        const std::string model = "Node";
        entities.push_back(co_await world.create(sid, count, model));
    }
    const std::vector<std::pair<std::string, std::string>> attrs{{"out", "in"}};
    for (std::size_t k = 1; k < run.sims; ++k) {
        for (std::size_t i = 0; i < run.entities; ++i) world.connect(entities[k - 1][i], entities[k][i], attrs);
    }
    const auto last_sid = sid_of(run.sims - 1);
    const auto last_time = run.steps - 1;
    const auto from = sid_of(run.sims - 2) + ".n0";
    if (!run.self.empty()) {
        // Processes: the inputs of the last simulator's last step show what the chain computed.
        world.on_step([&](const mosaik::StepRecord& record) {
            if (record.sid != last_sid || record.time.time() != last_time) return;
            last_in = record.inputs["n0"]["in"][from].get<double>();
        });
    }
    co_await world.run(run.steps);
    if (run.self.empty()) last_in = local_sims.back()->first_value() - 1;
}

}  // namespace

int run_orchestrator_child(int argc, char** argv) { return mosaik::run_simulator(argc, argv, make_chain_sim); }

double run_chain(const ChainRun& run) {
    if (run.sims < 2) throw std::invalid_argument("a chain needs at least two simulators");
    asio::io_context io;
    double last_in = -1;
    std::exception_ptr failure;
    const auto start = std::chrono::steady_clock::now();
    asio::co_spawn(io, run_world(run, last_in), [&](std::exception_ptr e) { failure = e; });
    io.run();
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    if (failure) std::rethrow_exception(failure);
    // The last simulator's input is the out of the one before it: its position in the chain.
    const auto expected = static_cast<double>(run.sims - 1);
    if (last_in != expected) {
        throw std::runtime_error(fmt::format("orchestrator benchmark: the last simulator got {}, expected {}", last_in,
                                             expected));
    }
    return static_cast<double>(run.steps) / wall.count();
}

ChainFrames chain_frames() {
    const JsonCodec codec;
    const auto frame = [&](MessageType type, std::uint64_t id, const Json& content) {
        std::string out;
        append_frame(codec, type, id, content, default_max_message_size, out);
        return out;
    };
    // A mid-run time step as the World sends it (ids and times of that size).
    constexpr std::int64_t t = 12'345;
    constexpr std::uint64_t id = 24'690;
    constexpr std::int64_t max_advance = 19'999;
    ChainFrames f;
    f.a_step = frame(MessageType::request, id, Json::array({"step", Json::array({t, Json::object(), max_advance}),
                                                             Json::object()}));
    f.a_step_reply = frame(MessageType::success, id, Json(t + 1));
    f.a_get_data = frame(MessageType::request, id + 1,
                         Json::array({"get_data", Json::array({Json::object({{"n0", Json::array({"out"})}})}),
                                      Json::object()}));
    f.a_get_data_reply = frame(MessageType::success, id + 1, Json::object({{"n0", Json::object({{"out", 1.0}})}}));
    f.b_step = frame(MessageType::request, id,
                     Json::array({"step",
                                  Json::array({t, Json::object({{"n0", Json::object({{"in", Json::object({{"Sim-0.n0", 1.0}})}})}}),
                                               max_advance}),
                                  Json::object()}));
    f.b_step_reply = frame(MessageType::success, id, Json(t + 1));
    return f;
}

namespace {

// The published figures of mosaik 3.3 with trivial Python simulators on the same kind of machine
// (issue 5), in time steps per second.
constexpr double mosaik_2 = 8'900;
constexpr double mosaik_2_processes = 1'370;
constexpr double mosaik_chain = 510;

constexpr std::int64_t process_steps = 20'000;

// Per-round figures of the orchestrator part.
struct OrchestratorRounds {
    std::vector<double> two, processes, chain;
    std::vector<double> raw_per_s, raw_p50_us, raw_p99_us;
};

void run_processes(const std::string& self, const std::string& label, OrchestratorRounds& out) {
    spdlog::info("orchestrator {}: 2 simulator processes over TCP, {} steps", label, process_steps);
    out.processes.push_back(run_chain(ChainRun{2, 1, process_steps, self}));
}

// Fresh servers every round, as the World starts fresh simulators for every run; their start is
// not timed (the World's is), but it is a few milliseconds in a run of seconds.
void run_raw_chain(const std::string& self, const std::string& label, OrchestratorRounds& out) {
    spdlog::info("orchestrator {}: raw step servers A and B, 3 round trips per step, {} steps", label,
                 process_steps);
    RawChainBench raw(self, chain_frames());
    const auto steps = static_cast<std::size_t>(process_steps);
    const auto times = raw.run(steps / 10, steps);
    raw.stop();
    out.raw_per_s.push_back(times.per_s);
    out.raw_p50_us.push_back(times.latency.p50_us);
    out.raw_p99_us.push_back(times.latency.p99_us);
}

void run_round(const std::string& self, const OrchestratorRuns& runs, int round, int rounds, OrchestratorRounds& out) {
    const auto label = fmt::format("round {}/{}", round, rounds);
    if (runs.two) {
        spdlog::info("orchestrator {}: 2 in-process simulators, 100,000 steps", label);
        out.two.push_back(run_chain(ChainRun{2, 1, 100'000, {}}));
    }
    if (runs.processes) {
        // Alternate who goes first, so slow drift of the machine does not favour either side.
        if (round % 2 == 1) run_raw_chain(self, label, out);
        run_processes(self, label, out);
        if (round % 2 == 0) run_raw_chain(self, label, out);
    }
    if (runs.chain) {
        spdlog::info("orchestrator {}: chain of 10 in-process simulators x 100 entities, 1,000 steps", label);
        out.chain.push_back(run_chain(ChainRun{10, 100, 1'000, {}}));
    }
}

// A figure and its ratio to mosaik's. mosaik's figure is a constant, so the ratio is taken round
// by round: its median is the ratio of the median, and its min and max show how much the libmas
// figure itself moved. It gets no `.unreliable` line: that judges a baseline's spread, and a
// published figure has none.
void add_vs_mosaik(Report& report, const std::string& prefix, std::vector<double> per_s, double mosaik,
                   double at_least) {
    std::vector<double> ratios;
    for (const double value : per_s) ratios.push_back(value / mosaik);
    report.add_rounds(prefix + ".per_s", std::move(per_s), "1/s");
    report.add_rounds(prefix + ".vs_mosaik", std::move(ratios), "x", Goal{Goal::Kind::at_least, at_least});
}

void add_figures(OrchestratorRounds rounds, Report& report) {
    if (!rounds.two.empty()) add_vs_mosaik(report, "orchestrator.2", std::move(rounds.two), mosaik_2, 100);
    if (!rounds.processes.empty()) {
        add_vs_mosaik(report, "orchestrator.2proc", std::move(rounds.processes), mosaik_2_processes, 5);
        report.add_rounds("orchestrator.raw.3rt.per_s", std::move(rounds.raw_per_s), "1/s");
        report.add_rounds("orchestrator.raw.3rt.p50_us", std::move(rounds.raw_p50_us), "us");
        report.add_rounds("orchestrator.raw.3rt.p99_us", std::move(rounds.raw_p99_us), "us");
        // Within 1.5x of the loopback limit: at least 1/1.5 of its rate.
        report.add_round_ratio("orchestrator.2proc.vs_3raw", "orchestrator.2proc.per_s", "orchestrator.raw.3rt.per_s",
                               Goal{Goal::Kind::at_least, 1 / 1.5});
    }
    if (!rounds.chain.empty()) {
        add_vs_mosaik(report, "orchestrator.chain10x100", std::move(rounds.chain), mosaik_chain, 20);
    }
}

}  // namespace

void run_orchestrator(const std::string& self, const OrchestratorRuns& runs, int rounds, Report& report) {
    OrchestratorRounds out;
    for (int round = 1; round <= rounds; ++round) run_round(self, runs, round, rounds, out);
    add_figures(std::move(out), report);
}

}  // namespace mas::bench
