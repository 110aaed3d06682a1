#pragma once
/// \file
/// The named spdlog loggers of libmas' layers.

#include <memory>
#include <string_view>

#include <spdlog/logger.h>

namespace mas {

/// The logger of one layer ("mas.channel", "mas.rpc", "mas.agent", "mas.mosaik", ...).
/// Created on first use with spdlog's default sink, so an executable's sink and level settings
/// (spdlog::set_default_logger, spdlog::set_level) apply to it. Thread-safe.
std::shared_ptr<spdlog::logger> log(std::string_view name);

}  // namespace mas
