#include "mas/core/log.hpp"

#include <spdlog/spdlog.h>

namespace mas {

std::shared_ptr<spdlog::logger> log(std::string_view name) {
    const std::string key(name);
    if (auto existing = spdlog::get(key)) return existing;
    // Share the default logger's sinks so that one configuration in main() covers every layer.
    auto logger = spdlog::default_logger()->clone(key);
    logger->set_level(spdlog::get_level());
    try {
        spdlog::register_logger(logger);
    } catch (const spdlog::spdlog_ex&) {
        // Another thread registered it first; use that one.
        if (auto existing = spdlog::get(key)) return existing;
        throw;
    }
    return logger;
}

}  // namespace mas
