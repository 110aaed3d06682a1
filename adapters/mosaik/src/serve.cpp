#include "mas/mosaik/serve.hpp"

#include <algorithm>
#include <exception>
#include <optional>

#include <fmt/format.h>

#include "mas/channel/request.hpp"
#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "simulator_calls.hpp"

namespace mas::mosaik {
namespace {

using detail::CallFailure;
using detail::describe_current_exception;
using detail::SimulatorCalls;

auto logger() { return mas::log("mas.mosaik"); }

/// The arguments of one call, bound to parameters as Python binds them.
class CallArgs {
public:
    CallArgs(std::string method, JsonArray args, JsonObject kwargs)
        : method_(std::move(method)), args_(std::move(args)), kwargs_(std::move(kwargs)) {}

    Json take(std::string_view name, std::size_t position) {
        auto value = take_optional(name, position);
        if (!value) throw CallFailure("TypeError", fmt::format("{}() missing required argument '{}'", method_, name));
        return std::move(*value);
    }

    std::optional<Json> take_optional(std::string_view name, std::size_t position) {
        declared_ = std::max(declared_, position + 1);
        auto* keyword = kwargs_.find(name);
        if (position < args_.size()) {
            if (keyword) throw CallFailure("TypeError", fmt::format("{}() got multiple values for argument '{}'", method_, name));
            return std::move(args_[position]);  // each position is bound once
        }
        if (!keyword) return std::nullopt;
        Json value = std::move(*keyword);
        kwargs_.erase(name);
        return value;
    }

    /// The keyword arguments not bound to a parameter (Python's **kwargs).
    JsonObject rest() {
        check_positional();
        return std::move(kwargs_);
    }

    /// Checks that every argument was bound.
    void finish() {
        check_positional();
        if (!kwargs_.empty()) {
            throw CallFailure("TypeError", fmt::format("{}() got an unexpected keyword argument '{}'", method_,
                                                       kwargs_.begin()->first));
        }
    }

private:
    void check_positional() const {
        if (args_.size() > declared_) {
            throw CallFailure("TypeError", fmt::format("{}() takes {} positional arguments but {} were given",
                                                       method_, declared_, args_.size()));
        }
    }

    std::string method_;
    JsonArray args_;
    JsonObject kwargs_;
    std::size_t declared_ = 0;
};

template <class T>
T as(const Json& value, std::string_view method, std::string_view name) {
    try {
        return value.get<T>();
    } catch (const TypeError& e) {
        throw CallFailure("TypeError", fmt::format("{}(): argument '{}': {}", method, name, e.what()));
    }
}

/// A request's content, taken apart.
struct Call {
    Call(std::string method, JsonArray args, JsonObject kwargs)
        : method(std::move(method)), args(std::move(args)), kwargs(std::move(kwargs)) {}
    std::string method;
    JsonArray args;
    JsonObject kwargs;
};

/// One connection: its calls, decoded from requests and checked by SimulatorCalls.
class Session {
public:
    Session(Channel channel, Simulator& sim) : channel_(std::move(channel)), sim_(sim), calls_(sim) {}

    asio::awaitable<ServeEnd> run();

private:
    asio::awaitable<Json> dispatch(Call& call);
    Json init(CallArgs& args);
    Json create(CallArgs& args);
    asio::awaitable<Json> step(CallArgs& args);

    Channel channel_;
    Simulator& sim_;
    SimulatorCalls calls_;
};

Json Session::init(CallArgs& args) {
    const auto sid = as<std::string>(args.take("sid", 0), "init", "sid");
    const auto resolution = args.take_optional("time_resolution", 1);
    const double time_resolution = resolution ? as<double>(*resolution, "init", "time_resolution") : 1.0;
    const auto sim_params = args.rest();
    return calls_.init(sid, time_resolution, sim_params);
}

Json Session::create(CallArgs& args) {
    const auto num = as<std::int64_t>(args.take("num", 0), "create", "num");
    const auto model = as<std::string>(args.take("model", 1), "create", "model");
    const auto params = args.rest();
    return calls_.create(num, model, params);
}

asio::awaitable<Json> Session::step(CallArgs& args) {
    const auto time = as<std::int64_t>(args.take("time", 0), "step", "time");
    const Inputs inputs = SimulatorCalls::inputs_from(args.take("inputs", 1));
    const auto max_advance = as<std::int64_t>(args.take("max_advance", 2), "step", "max_advance");
    args.finish();
    const auto next = co_await calls_.step(time, inputs, max_advance);
    co_return next ? Json(*next) : Json();
}

asio::awaitable<Json> Session::dispatch(Call& call) {
    if (sim_.find_extra(call.method)) co_return calls_.call_extra(call.method, call.args, call.kwargs);
    // Moved, not copied: step's inputs and get_data's outputs grow with the number of entities.
    CallArgs args(call.method, std::move(call.args), std::move(call.kwargs));
    if (call.method == "init") co_return init(args);
    calls_.require_init(call.method);
    if (call.method == "create") co_return create(args);
    if (call.method == "setup_done") {
        args.finish();
        calls_.setup_done();
        co_return Json();
    }
    if (call.method == "step") co_return co_await step(args);
    if (call.method == "get_data") {
        const auto request = SimulatorCalls::output_request_from(args.take("outputs", 0));
        args.finish();
        co_return calls_.get_data(request);
    }
    throw CallFailure("KeyError", fmt::format("'{}'", call.method));
}

/// Takes the request's content apart, moving its arguments out.
Call parse_call(Json& content) {
    const bool ok = content.is_array() && content.size() == 3 && content[0].is_string() && content[1].is_array() &&
                    content[2].is_object();
    if (!ok) {
        throw CallFailure("TypeError",
                          fmt::format("a request must be [method, args, kwargs], got {}", content.describe()));
    }
    return Call(content[0].as_string(), std::move(content[1].as_array()), std::move(content[2].as_object()));
}

asio::awaitable<ServeEnd> Session::run() {
    bool failed = false;
    for (;;) {
        auto request = co_await channel_.recv();
        std::optional<Json> result;
        std::optional<Json> failure;
        std::string method = "<request>";
        try {
            auto call = parse_call(request.content());
            method = call.method;
            if (method == "stop") break;
            result = co_await dispatch(call);
        } catch (...) {
            auto [type, message] = describe_current_exception();
            logger()->error("request {} ({}) from mosaik at {} failed: {}: {}", request.id(), method, channel_.peer(),
                            type, message);
            failure = failure_content(type, message, method);
        }
        if (failure) {
            failed = true;
            co_await request.fail_with_content(std::move(*failure));
        } else {
            co_await request.reply(std::move(*result));
        }
    }
    logger()->debug("mosaik at {} sent stop", channel_.peer());
    co_return failed ? ServeEnd::stopped_after_failure : ServeEnd::stopped;
}

/// Lends the channel to the simulator for its requests to mosaik, for as long as it is served.
struct Attachment {
    Attachment(Simulator& sim, const Channel& channel) : sim(sim) { sim.attach(MosaikRemote(channel)); }
    ~Attachment() { sim.attach(std::nullopt); }
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;
    Simulator& sim;
};

}  // namespace

Json failure_content(const std::string& type_name, const std::string& message, std::string_view where) {
    return Json::array({type_name, message, "Traceback (most recent call last):\n",
                        fmt::format("  File \"<libmas simulator>\", in {}\n", where),
                        fmt::format("{}: {}\n", type_name, message)});
}

asio::awaitable<ServeEnd> serve(Channel channel, Simulator& sim) {
    const Attachment attachment(sim, channel);
    std::exception_ptr unprepared;
    try {
        co_await sim.prepare();
    } catch (const std::exception& e) {
        logger()->error("the simulator could not be prepared: {}", e.what());
        unprepared = std::current_exception();
    }
    if (unprepared) {
        channel.close();
        std::rethrow_exception(unprepared);
    }
    Session session(channel, sim);
    ServeEnd end = ServeEnd::stopped;
    std::optional<ConnectionError> lost;
    try {
        end = co_await session.run();
    } catch (const ConnectionError& e) {
        lost.emplace(fmt::format("mosaik at {} went away before sending stop: {}", channel.peer(), e.what()), e.code());
    }
    if (lost) {
        logger()->error("{}", lost->what());
        channel.close();
        throw *lost;
    }
    try {
        sim.finalize();
    } catch (const std::exception& e) {
        logger()->error("finalize() failed: {}", e.what());
        end = ServeEnd::stopped_after_failure;
    }
    channel.close();
    co_return end;
}

}  // namespace mas::mosaik
