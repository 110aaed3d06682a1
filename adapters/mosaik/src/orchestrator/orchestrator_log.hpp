#pragma once
// The orchestrator's logger ("mas.mosaik"), looked up once.

#include <memory>

#include "mas/core/log.hpp"

namespace mas::mosaik::detail {

inline const std::shared_ptr<spdlog::logger>& orchestrator_log() {
    static const auto log = mas::log("mas.mosaik");
    return log;
}

}  // namespace mas::mosaik::detail
