// The scenario reader: file text in, a Scenario or a ScenarioError (or ConfigError) out, within
// the memory and time the file's size allows.
#include <cstdint>
#include <string_view>

#include "mas/core/error.hpp"
#include "mas/mosaik/orchestrator/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        mas::mosaik::ScenarioOptions options;
        options.variables.emplace("sim_bin", "/opt/sims");
        (void)mas::mosaik::Scenario::parse(text, "fuzz.json", options);
    } catch (const mas::ConfigError&) {
    }
    return 0;
}
