#pragma once
// The channel layer's logger, looked up once.

#include <spdlog/logger.h>

namespace mas::detail {

/// The "mas.channel" logger.
spdlog::logger& channel_log();

}  // namespace mas::detail
