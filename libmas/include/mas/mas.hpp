#pragma once
/// \file
/// The umbrella header of libmas for applications. Library code includes the single headers.

#include "mas/agent/clock.hpp"
#include "mas/agent/date_time.hpp"
#include "mas/agent/external_clock.hpp"
#include "mas/agent/real_time_clock.hpp"
#include "mas/agent/timer_handle.hpp"
#include "mas/channel/channel.hpp"
#include "mas/channel/channel_options.hpp"
#include "mas/channel/frame.hpp"
#include "mas/channel/request.hpp"
#include "mas/channel/server.hpp"
#include "mas/channel/tls_context.hpp"
#include "mas/core/block_on.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/error.hpp"
#include "mas/core/json.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
