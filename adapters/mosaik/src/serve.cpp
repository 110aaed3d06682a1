#include "mas/mosaik/serve.hpp"

#include <algorithm>
#include <exception>
#include <optional>

#include <fmt/format.h>

#include "mas/channel/request.hpp"
#include "mas/core/error.hpp"
#include "mas/core/log.hpp"

namespace mas::mosaik {
namespace {

auto logger() { return mas::log("mas.mosaik"); }

/// A failure reported to mosaik under a Python exception type name.
class CallFailure : public Error {
public:
    CallFailure(std::string type, const std::string& message) : Error(message), type_(std::move(type)) {}
    [[nodiscard]] const std::string& type() const noexcept { return type_; }

private:
    std::string type_;
};

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

/// One connection's state: what init declared and the last step time.
class Session {
public:
    Session(Channel channel, Simulator& sim) : channel_(std::move(channel)), sim_(sim) {}

    asio::awaitable<ServeEnd> run();

private:
    asio::awaitable<Json> dispatch(Call& call);
    Json init(CallArgs& args);
    Json create(CallArgs& args);
    asio::awaitable<Json> step(CallArgs& args);
    void require_init(const std::string& method) const;

    Channel channel_;
    Simulator& sim_;
    std::optional<Meta> meta_;
    std::optional<std::int64_t> last_step_;
};

Json Session::init(CallArgs& args) {
    const auto sid = as<std::string>(args.take("sid", 0), "init", "sid");
    const auto resolution = args.take_optional("time_resolution", 1);
    const double time_resolution = resolution ? as<double>(*resolution, "init", "time_resolution") : 1.0;
    const auto sim_params = args.rest();
    auto meta = sim_.init(sid, time_resolution, sim_params);
    for (const auto& name : sim_.extra_names()) {
        const auto& declared = meta.extra_methods();
        if (std::find(declared.begin(), declared.end(), name) == declared.end()) meta.extra_method(name);
    }
    meta.validate();
    meta_ = std::move(meta);
    logger()->debug("simulator {} initialised ({})", sid, to_string(meta_->type()));
    return meta_->to_json();
}

Json Session::create(CallArgs& args) {
    const auto num = as<std::int64_t>(args.take("num", 0), "create", "num");
    const auto model = as<std::string>(args.take("model", 1), "create", "model");
    const auto params = args.rest();
    if (num < 0) throw CallFailure("ValueError", fmt::format("create(): num must not be negative, got {}", num));
    const auto* declared = meta_->find_model(model);
    if (!declared || !declared->is_public()) {
        throw CallFailure("ValueError", fmt::format("create(): unknown model '{}'", model));
    }
    for (const auto& [name, value] : params) {
        const auto& names = declared->params();
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            throw CallFailure("TypeError", fmt::format("create(): model '{}' got an unexpected param '{}'", model, name));
        }
    }
    JsonArray out;
    for (const auto& entity : sim_.create(num, model, params)) out.push_back(entity.to_json());
    return Json(std::move(out));
}

asio::awaitable<Json> Session::step(CallArgs& args) {
    const auto time = as<std::int64_t>(args.take("time", 0), "step", "time");
    const Inputs inputs = [&] {
        try {
            return Inputs(args.take("inputs", 1));
        } catch (const TypeError& e) {
            throw CallFailure("TypeError", fmt::format("step(): argument 'inputs': {}", e.what()));
        }
    }();
    const auto max_advance = as<std::int64_t>(args.take("max_advance", 2), "step", "max_advance");
    args.finish();
    if (last_step_ && time < *last_step_) {
        throw CallFailure("ValueError",
                          fmt::format("step(): time {} goes back before the previous step time {}", time, *last_step_));
    }
    last_step_ = time;
    const auto next = co_await sim_.step(time, inputs, max_advance);
    co_return next ? Json(*next) : Json();
}

void Session::require_init(const std::string& method) const {
    if (!meta_) throw CallFailure("RuntimeError", fmt::format("{}() called before init()", method));
}

asio::awaitable<Json> Session::dispatch(Call& call) {
    if (const auto* extra = sim_.find_extra(call.method)) co_return (*extra)(call.args, call.kwargs);
    // Moved, not copied: step's inputs and get_data's outputs grow with the number of entities.
    CallArgs args(call.method, std::move(call.args), std::move(call.kwargs));
    if (call.method == "init") co_return init(args);
    require_init(call.method);
    if (call.method == "create") co_return create(args);
    if (call.method == "setup_done") {
        args.finish();
        sim_.setup_done();
        co_return Json();
    }
    if (call.method == "step") co_return co_await step(args);
    if (call.method == "get_data") {
        OutputRequest request;
        try {
            request = OutputRequest(args.take("outputs", 0));
        } catch (const TypeError& e) {
            throw CallFailure("TypeError", fmt::format("get_data(): argument 'outputs': {}", e.what()));
        }
        args.finish();
        co_return sim_.get_data(request).to_json();
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

// The Python type name and message mosaik gets for the exception being handled.
std::pair<std::string, std::string> describe_current_exception() {
    try {
        throw;
    } catch (const CallFailure& e) {
        return {e.type(), e.what()};
    } catch (const std::exception& e) {
        return {exception_type_name(e), e.what()};
    } catch (...) {
        return {"UnknownError", "an exception not derived from std::exception"};
    }
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
