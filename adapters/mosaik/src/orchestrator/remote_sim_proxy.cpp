#include "mas/mosaik/orchestrator/remote_sim_proxy.hpp"

#include <exception>
#include <limits>

#include <asio/co_spawn.hpp>
#include <fmt/format.h>

#include "mas/channel/request.hpp"
#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "orchestrator/async_request.hpp"
#include "orchestrator/sim_failure.hpp"

namespace mas::mosaik {

struct RemoteSimProxy::State {
    State(std::string sid, Channel channel)
        : sid(std::move(sid)), channel(std::move(channel)), handler(std::make_shared<AsyncRequestHandler>()) {}
    std::string sid;
    Channel channel;
    detail::HandlerSlot handler;
};

namespace {

auto logger() { return mas::log("mas.mosaik"); }

/// A failure reply's content: the channel hands a content that is not a text over as its JSON.
Json failure_of(const RemoteError& error) {
    try {
        return JsonCodec().decode(error.remote_traceback());
    } catch (const Error&) {
        return Json(error.remote_traceback());
    }
}

asio::awaitable<void> answer(std::shared_ptr<RemoteSimProxy::State> state, Request request) {
    auto outcome = co_await detail::answer_async_request(state->handler, state->sid, std::move(request.content()));
    try {
        if (outcome.ok) {
            co_await request.reply(std::move(outcome.value));
        } else {
            co_await request.fail_with_content(std::move(outcome.value));
        }
    } catch (const Error& e) {
        logger()->debug("could not answer request {} of simulator {}: {}", request.id(), state->sid, e.what());
    }
}

/// Answers the simulator's requests until the channel closes (mosaik's _handle_remote_requests).
asio::awaitable<void> serve_requests(std::shared_ptr<RemoteSimProxy::State> state) {
    for (;;) {
        Request request;
        try {
            request = co_await state->channel.recv();
        } catch (const ConnectionError& e) {
            logger()->debug("connection to simulator {} ended: {}", state->sid, e.what());
            co_return;
        }
        logger()->trace("request {} from simulator {}", request.id(), state->sid);
        co_await answer(state, std::move(request));
    }
}

}  // namespace

RemoteSimProxy::RemoteSimProxy(std::string sid, Channel channel, std::unique_ptr<SimProcess> process,
                               RemoteSimOptions options)
    : state_(std::make_shared<State>(std::move(sid), std::move(channel))),
      process_(std::move(process)),
      options_(options) {
    auto on_exit = [sid = state_->sid](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            logger()->error("answering the requests of simulator {} failed: {}", sid, e.what());
        }
    };
    asio::co_spawn(state_->channel.executor(), serve_requests(state_), on_exit);
}

RemoteSimProxy::~RemoteSimProxy() { state_->channel.close(); }

const std::string& RemoteSimProxy::sid() const noexcept { return state_->sid; }

const Channel& RemoteSimProxy::channel() const noexcept { return state_->channel; }

void RemoteSimProxy::set_request_handler(AsyncRequestHandler handler) { *state_->handler = std::move(handler); }

asio::awaitable<Json> RemoteSimProxy::call(std::string method, JsonArray args, JsonObject kwargs) {
    auto request = Json::array({method, Json(std::move(args)), Json(std::move(kwargs))});
    try {
        co_return co_await state_->channel.send(std::move(request));
    } catch (const RemoteError& e) {
        throw detail::call_failed(state_->sid, method, failure_of(e));
    } catch (const ConnectionError& e) {
        if (e.code() == errc::protocol_error || e.code() == errc::message_too_large) {
            // The simulator did not close anything: it sent bytes that are no frame, and the
            // channel closed the connection because nothing after them can be trusted.
            const std::string what = e.what();
            const auto reason = what.find("protocol error: ");
            throw SimulationError(state_->sid,
                                  fmt::format("Simulator \"{}\" broke the protocol during {}, so its connection was "
                                              "closed: {}",
                                              state_->sid, method,
                                              reason == std::string::npos ? what : what.substr(reason + 16)));
        }
        logger()->error("simulator {} at {} went away during {}: {}", state_->sid, state_->channel.peer(), method,
                        e.what());
        throw detail::connection_lost(state_->sid, method);
    } catch (const CodecError& e) {
        throw SimulationError(state_->sid,
                              fmt::format("Simulator \"{}\": {} could not be exchanged: {}", state_->sid, method, e.what()));
    }
}

asio::awaitable<Json> RemoteSimProxy::init(double time_resolution, JsonObject sim_params) {
    JsonObject kwargs;
    kwargs.push_back("time_resolution", Json(time_resolution));
    for (auto& [name, value] : sim_params) kwargs.insert_or_assign(name, std::move(value));
    auto args = JsonArray{Json(state_->sid)};
    std::string method = "init";
    auto meta = co_await call(std::move(method), std::move(args), std::move(kwargs));
    if (!meta.is_object()) throw detail::invalid_reply(state_->sid, "init", "a meta object", meta);
    co_return meta;
}

asio::awaitable<Json> RemoteSimProxy::create(std::int64_t num, std::string model, JsonObject model_params) {
    auto args = JsonArray{Json(num), Json(std::move(model))};
    std::string method = "create";
    auto entities = co_await call(std::move(method), std::move(args), std::move(model_params));
    if (!entities.is_array()) throw detail::invalid_reply(state_->sid, "create", "a list of entities", entities);
    co_return entities;
}

asio::awaitable<void> RemoteSimProxy::setup_done() {
    // Arguments built before co_await: g++ 12 mishandles literals and temporaries inside it.
    std::string method = "setup_done";
    JsonArray args;
    JsonObject kwargs;
    co_await call(std::move(method), std::move(args), std::move(kwargs));
}

asio::awaitable<std::optional<std::int64_t>> RemoteSimProxy::step(std::int64_t time, const Json& inputs,
                                                                  std::int64_t max_advance, bool) {
    auto args = JsonArray{Json(time), inputs, Json(max_advance)};
    std::string method = "step";
    JsonObject kwargs;
    auto next = co_await call(std::move(method), std::move(args), std::move(kwargs));
    if (next.is_null()) co_return std::nullopt;
    const bool fits = next.kind() == JsonKind::integer ||
                      (next.kind() == JsonKind::uinteger &&
                       next.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    if (!fits) throw detail::invalid_reply(state_->sid, "step", "an integer time or null", next);
    co_return next.get<std::int64_t>();
}

asio::awaitable<Json> RemoteSimProxy::get_data(const Json& outputs) {
    auto args = JsonArray{outputs};
    std::string method = "get_data";
    JsonObject kwargs;
    auto data = co_await call(std::move(method), std::move(args), std::move(kwargs));
    if (!data.is_object()) throw detail::invalid_reply(state_->sid, "get_data", "an object of entities", data);
    co_return data;
}

asio::awaitable<Json> RemoteSimProxy::call_extra(std::string method, JsonArray args, JsonObject kwargs) {
    co_return co_await call(std::move(method), std::move(args), std::move(kwargs));
}

asio::awaitable<void> RemoteSimProxy::stop() {
    if (stopped_) co_return;
    stopped_ = true;
    if (state_->channel.is_open()) {
        auto request = Json::array({"stop", Json::array(), Json::object()});
        auto sent = state_->channel.send(std::move(request));
        std::string what = "waiting for the reply to stop";
        try {
            co_await with_timeout(std::move(sent), options_.stop_reply_wait, std::move(what));
        } catch (const Timeout&) {
            logger()->debug("simulator {} did not reply to stop (as usual)", state_->sid);
        } catch (const Error& e) {
            logger()->debug("simulator {} after stop: {}", state_->sid, e.what());
        }
    }
    state_->channel.close();
    if (!process_) co_return;
    const auto status = co_await process_->stop(options_.exit_grace);
    if (status.success()) {
        logger()->debug("simulator {} (process {}) exited", state_->sid, process_->pid());
    } else {
        logger()->warn("simulator {} (process {}) ended with {}", state_->sid, process_->pid(), status.to_string());
    }
}

}  // namespace mas::mosaik
