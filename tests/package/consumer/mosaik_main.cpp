// Uses the installed mosaik adapter the way a simulator author does: a simulator class whose
// meta the adapter validates and writes as mosaik's JSON.

#include <cstdio>
#include <exception>

#include <mas/core/json_codec.hpp>
#include <mas/mosaik/simulator.hpp>

namespace {

class Sim : public mas::mosaik::Simulator {
public:
    mas::mosaik::Meta init(const std::string&, double, const mas::JsonObject&) override {
        mas::mosaik::Meta meta(mas::mosaik::SimType::hybrid);
        meta.model("M").params({"p"}).attrs({"a"}).trigger({"a"});
        return meta;
    }
    std::vector<mas::mosaik::Entity> create(std::int64_t, const std::string&, const mas::JsonObject&) override {
        return {};
    }
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mas::mosaik::Inputs&,
                                                      std::int64_t) override {
        co_return time + 1;
    }
    mas::mosaik::Outputs get_data(const mas::mosaik::OutputRequest&) override { return {}; }
};

}  // namespace

int main() {
    try {
        Sim sim;
        const auto meta = sim.init("Sim-0", 1.0, {});
        meta.validate();
        const auto text = mas::JsonCodec().encode(meta.to_json()["type"]);
        if (text != R"("hybrid")") {
            std::fprintf(stderr, "mas-mosaik-consumer: error: unexpected meta type %s\n", text.c_str());
            return 1;
        }
        std::printf("mas-mosaik-consumer: meta type %s\n", text.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mas-mosaik-consumer: error: %s\n", e.what());
        return 1;
    }
}
