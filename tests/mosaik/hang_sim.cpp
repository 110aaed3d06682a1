// mas-test-hang-sim: a time-based simulator process that stops answering in one step, as a
// simulator stuck in a computation does. sim params: `hang_at` (the step time that never
// returns) and `pid_file` (where it writes its process id, so a test can see it is gone).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "mas/mosaik/run_simulator.hpp"

namespace {

class HangSim final : public mas::mosaik::Simulator {
public:
    mas::mosaik::Meta init(const std::string&, double, const mas::JsonObject& params) override {
        if (const auto* at = params.find("hang_at")) hang_at_ = at->get<std::int64_t>();
        if (const auto* file = params.find("pid_file")) std::ofstream(file->get<std::string>()) << ::getpid() << '\n';
        mas::mosaik::Meta meta(mas::mosaik::SimType::time_based);
        meta.model("Node").attrs({"x"});
        return meta;
    }
    std::vector<mas::mosaik::Entity> create(std::int64_t num, const std::string& model,
                                            const mas::JsonObject&) override {
        std::vector<mas::mosaik::Entity> out;
        for (std::int64_t i = 0; i < num; ++i) out.emplace_back("n" + std::to_string(i), model);
        return out;
    }
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mas::mosaik::Inputs&,
                                                      std::int64_t) override {
        // Blocks the whole process, so it cannot even answer `stop`: only a kill ends it.
        if (time == hang_at_) {
            // The orchestrator passes this process's stderr on, so a test can tell it hangs now.
            std::fprintf(stderr, "hang-sim: hanging in step %lld\n", static_cast<long long>(time));
            std::fflush(stderr);
            for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
        }
        co_return time + 1;
    }
    mas::mosaik::Outputs get_data(const mas::mosaik::OutputRequest&) override { return {}; }

private:
    std::int64_t hang_at_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
    return mas::mosaik::run_simulator(argc, argv, [] { return std::make_unique<HangSim>(); });
}
