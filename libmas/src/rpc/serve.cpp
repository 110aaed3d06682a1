// The serving side of an RPC connection: receive requests, resolve their path, run the function
// and answer. Plain functions answer in the loop, which keeps one coroutine frame per request
// off the hot path; coroutine functions run as their own tasks, so a function that calls back
// to the peer over the same connection cannot block the requests behind it.

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "mas/channel/request.hpp"
#include "mas/core/log.hpp"
#include "rpc/connection_state.hpp"
#include "rpc/failure.hpp"

namespace mas::rpc::detail {
namespace {

const std::shared_ptr<spdlog::logger>& rpc_log() {
    static const auto logger = mas::log("mas.rpc");
    return logger;
}

// The parts of a request's content `[path, args, kwargs]`; throws ShapeError if it is not that.
struct CallContent {
    const std::string* path = nullptr;
    JsonArray* args = nullptr;
    JsonObject* kwargs = nullptr;
};

CallContent parse_content(Json& content) {
    if (!content.is_array() || content.size() != 3 || !content[0].is_string() || !content[1].is_array() ||
        !content[2].is_object()) {
        throw ShapeError("an RPC request must be [path, args, kwargs], got " + content.describe());
    }
    return {&content[0].as_string(), &content[1].as_array(), &content[2].as_object()};
}

// What is to be sent for a request: its result or a failure reply (nothing when a coroutine
// function took the request over).
struct Answer {
    enum class Kind { none, result, failure } kind = Kind::none;
    Json result;
    std::string failure;
    const std::string* path = nullptr;
};

// The reply or failure reply itself, not a coroutine of its own: the serving loop sends one per
// request. `answer` must not be none.
asio::awaitable<void> send_answer(Request& request, Answer& answer) {
    if (answer.kind == Answer::Kind::failure) return request.fail_with_text(std::move(answer.failure));
    return request.reply(std::move(answer.result));
}

// A peer that has gone away gets no answer; that is no error of the function.
void log_unsent(const Request& request, const Answer& answer, const ConnectionError& e) {
    rpc_log()->debug("{} to \"{}\" (id {}) not sent: {}",
                     answer.kind == Answer::Kind::failure ? "failure reply" : "reply", *answer.path, request.id(),
                     e.what());
}

asio::awaitable<void> finish_coroutine(std::shared_ptr<ConnectionState> state, Request request,
                                       asio::awaitable<Json> op, std::string path,
                                       [[maybe_unused]] std::shared_ptr<void> busy) {  // held until replied
    Answer answer;
    answer.path = &path;
    try {
        answer.result = co_await std::move(op);
        answer.kind = Answer::Kind::result;
    } catch (const std::exception& e) {
        answer.kind = Answer::Kind::failure;
        answer.failure = failure_reply_text(path, std::current_exception());
        rpc_log()->warn("{} from {}: \"{}\" failed: {}", request.id(), state->peer, path, e.what());
    }
    try {
        co_await send_answer(request, answer);
    } catch (const ConnectionError& e) {
        log_unsent(request, answer, e);
    }
}

// Plain functions are called here, without a coroutine frame of their own; the loop sends the
// answer.
Answer handle(const std::shared_ptr<ConnectionState>& state, Request& request) {
    // Points into the request's content, which lives as long as `request`: no copy per call.
    static const std::string no_path;
    Answer answer;
    answer.path = &no_path;
    Invocation invocation;
    try {
        const auto content = parse_content(request.content());
        answer.path = content.path;
        if (!state->root) {
            throw LookupError("Name \"" + answer.path->substr(0, answer.path->find('/')) + "\" not found in \"\"");
        }
        const Handler& handler = state->root->resolve(*answer.path);
        CallArgs call(*content.args, *content.kwargs, state);
        invocation = handler.invoke(call);
    } catch (const std::exception& e) {
        answer.kind = Answer::Kind::failure;
        answer.failure = failure_reply_text(*answer.path, std::current_exception());
        rpc_log()->warn("request {} from {}: \"{}\" failed: {}", request.id(), state->peer, *answer.path, e.what());
        return answer;
    }
    if (invocation.pending) {
        auto executor = state->channel.executor();
        std::string task_path = *answer.path;  // the request moves into the task
        auto busy = state->root->task_token();
        auto task = finish_coroutine(state, std::move(request), std::move(*invocation.pending), std::move(task_path),
                                     std::move(busy));
        asio::co_spawn(executor, std::move(task), asio::detached);  // finish_coroutine handles its failures
        return answer;
    }
    answer.kind = Answer::Kind::result;
    answer.result = std::move(invocation.result);
    return answer;
}

asio::awaitable<void> serve_loop(std::shared_ptr<ConnectionState> state) {
    for (;;) {
        Request request;
        std::exception_ptr ended;
        try {
            request = co_await state->channel.recv();
        } catch (const ConnectionError&) {
            ended = std::current_exception();
        }
        if (ended) {
            state->end(ended);
            co_return;
        }
        auto answer = handle(state, request);
        if (answer.kind == Answer::Kind::none) continue;
        try {
            co_await send_answer(request, answer);
        } catch (const ConnectionError& e) {
            log_unsent(request, answer, e);
        }
    }
}

}  // namespace

void start_serving(const std::shared_ptr<ConnectionState>& state) {
    auto executor = state->channel.executor();
    asio::co_spawn(executor, serve_loop(state), [peer = state->peer](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            rpc_log()->error("RPC connection to {} stopped serving: {}", peer, e.what());
        }
    });
}

}  // namespace mas::rpc::detail
