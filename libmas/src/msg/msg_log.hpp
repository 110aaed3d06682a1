#pragma once
// The smart-socket layer's logger, looked up once.

#include <spdlog/logger.h>

namespace mas::msg::detail {

/// The "mas.msg" logger.
spdlog::logger& msg_log();

}  // namespace mas::msg::detail
