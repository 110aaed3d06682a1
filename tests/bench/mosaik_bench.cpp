#include "mosaik_bench.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <cerrno>
#include <memory>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "example_sim.hpp"
#include "mas/channel/frame.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/run_simulator.hpp"

extern char** environ;

namespace mas::bench {
namespace {

constexpr int guard_ms = 30'000;  // hang guard for the child connecting, replying and exiting
constexpr std::int64_t until = 1'000'000'000;  // mosaik's max_advance: no earlier input may come

std::string frame(MessageType type, std::uint64_t id, const Json& content) {
    std::string out;
    append_frame(JsonCodec(), type, id, content, default_max_message_size, out);
    return out;
}

// The whole frame of a received payload, for a raw baseline with the same sizes.
std::string frame_of(std::string_view payload) {
    const auto size = static_cast<std::uint32_t>(payload.size());
    std::string out{static_cast<char>(size >> 24), static_cast<char>(size >> 16), static_cast<char>(size >> 8),
                    static_cast<char>(size)};
    return out.append(payload);
}

std::string excerpt(std::string_view text) {
    constexpr std::size_t limit = 300;
    return text.size() <= limit ? std::string(text) : std::string(text.substr(0, limit)) + "...";
}

// Waits until `fd` is readable (or closed); throws after guard_ms.
void wait_readable(int fd, const char* what) {
    pollfd p{fd, POLLIN, 0};
    for (;;) {
        const int n = ::poll(&p, 1, guard_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("poll");
        if (n == 0) throw std::runtime_error(fmt::format("mosaik benchmark: {} took over {} s", what, guard_ms / 1000));
        return;
    }
}

pid_t spawn_child(const std::string& self, std::uint16_t port) {
    std::vector<std::string> args{self, std::string(mosaik_sim_child_flag), fmt::format("127.0.0.1:{}", port), "-l",
                                  "warn"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (const int error = ::posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ); error != 0) {
        errno = error;
        throw_errno("posix_spawn " + self);
    }
    return pid;
}

int accept_child(int listener) {
    wait_readable(listener, "waiting for the simulator to connect");
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) throw_errno("accept");
    set_no_delay(fd);
    // A hang guard on every blocking read of the driver, at no cost per call.
    const timeval guard{guard_ms / 1000, 0};
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard) != 0) throw_errno("setsockopt(SO_RCVTIMEO)");
    return fd;
}

Json call(std::string method, Json args, Json kwargs) {
    return Json::array({std::move(method), std::move(args), std::move(kwargs)});
}

// `["step", [0, {eid: {"delta": {"Ctrl-0.Agent_<i>": 1}}}, until], {}]`: every entity gets a delta
// from its own controller, as a connected controller would send it.
Json step_call(const JsonArray& entities) {
    JsonObject inputs;
    for (std::size_t i = 0; i < entities.size(); ++i) {
        const auto source = Json::object({{fmt::format("Ctrl-0.Agent_{}", i), 1}});
        inputs.push_back(entities[i]["eid"].as_string(), Json::object({{"delta", source}}));
    }
    return call("step", Json::array({0, Json(std::move(inputs)), until}), Json::object());
}

// `["get_data", [{eid: ["val", "delta"]}], {}]` for all entities.
Json get_data_call(const JsonArray& entities) {
    JsonObject outputs;
    for (const auto& entity : entities) outputs.push_back(entity["eid"].as_string(), Json::array({"val", "delta"}));
    return call("get_data", Json::array({Json(std::move(outputs))}), Json::object());
}

Json decode_result(std::string_view payload) {
    return decode_message(JsonCodec(), payload).content;
}

}  // namespace

int run_mosaik_child(int argc, char** argv) {
    return mosaik::run_simulator(argc, argv, [] { return std::make_unique<sims::ExampleSim>(); });
}

MosaikBench::MosaikBench(const std::string& self, std::size_t entities) : entities_(entities) {
    try {
        auto endpoint = Endpoint::tcp("127.0.0.1", 0);
        listener_ = listen_on(endpoint);
        child_ = spawn_child(self, endpoint.port);
        socket_ = accept_child(listener_);
        close_fd(listener_);
        exchange(frame(MessageType::request, next_id_++,
                       call("init", Json::array({"ExampleSim-0"}), Json::object({{"time_resolution", 1.0}}))));
        const auto created = decode_result(exchange(frame(
            MessageType::request, next_id_++,
            call("create", Json::array({entities, "ExampleModel"}), Json::object({{"init_val", 0}})))));
        const auto& list = created.as_array();
        if (list.size() != entities) throw std::runtime_error("mosaik benchmark: create returned " + created.describe());
        exchange(frame(MessageType::request, next_id_++, call("setup_done", Json::array(), Json::object())));
        step_content_ = step_call(list);
        get_data_content_ = get_data_call(list);
    } catch (...) {
        shut_down();
        throw;
    }
}

MosaikBench::~MosaikBench() {
    if (child_ < 0) return;
    try {
        stop();
    } catch (const std::exception& e) {
        spdlog::error("mosaik benchmark: stopping the simulator: {}", e.what());
        shut_down();
    }
}

std::string_view MosaikBench::exchange(const std::string& request) {
    write_all(socket_, request.data(), request.size());
    for (;;) {
        if (const auto payload = reader_.next_frame()) {
            // The codec writes `[1, id, result]` for a success; anything else is reported as it came.
            if (payload->starts_with("[1,")) return *payload;
            throw std::runtime_error("mosaik benchmark: the simulator answered " + excerpt(*payload));
        }
        if (!reader_.fill(socket_)) throw std::runtime_error("mosaik benchmark: the simulator closed the connection");
    }
}

Clock::duration MosaikBench::time_step() {
    step_content_[1][0] = time_;
    step_request_ = frame(MessageType::request, next_id_++, step_content_);
    get_data_request_ = frame(MessageType::request, next_id_++, get_data_content_);
    const auto start = Clock::now();
    // Kept because the next read may move the buffer; a few bytes into reused capacity.
    step_reply_.assign(exchange(step_request_));
    const auto data = exchange(get_data_request_);
    const auto elapsed = Clock::now() - start;
    get_data_reply_.assign(data);
    ++time_;
    return elapsed;
}

StepTimes MosaikBench::run(std::size_t warmup, std::size_t count) {
    for (std::size_t i = 0; i < warmup; ++i) time_step();
    std::vector<Clock::duration> samples;
    samples.reserve(count);
    for (std::size_t i = 0; i < count; ++i) samples.push_back(time_step());
    Clock::duration total{};
    for (const auto& sample : samples) total += sample;
    StepTimes out;
    out.per_s = static_cast<double>(samples.size()) / std::chrono::duration<double>(total).count();
    out.latency = summarize(std::move(samples));
    check_last_step();
    return out;
}

StepFrames MosaikBench::last_frames() const {
    return {step_request_, frame_of(step_reply_), get_data_request_, frame_of(get_data_reply_)};
}

// ExampleSim starts at val 0 and adds the delta of 1 at every step from time 0 on.
void MosaikBench::check_last_step() const {
    const auto time = time_ - 1;
    const auto next = decode_result(step_reply_);
    const auto data = decode_result(get_data_reply_);
    bool ok = next == Json(time + 1) && data.size() == entities_ + 1 && data["time"] == Json(time);
    for (const auto& [eid, attrs] : data.as_object()) {
        if (eid != "time") ok = ok && attrs == Json::object({{"val", time + 1}, {"delta", 1}});
    }
    if (!ok) {
        throw std::runtime_error(fmt::format("mosaik benchmark: step {} returned {} and get_data {}", time,
                                             excerpt(step_reply_), excerpt(get_data_reply_)));
    }
}

void MosaikBench::stop() {
    const auto request = frame(MessageType::request, next_id_++, call("stop", Json::array(), Json::object()));
    write_all(socket_, request.data(), request.size());
    // stop gets no reply: the simulator finalizes and closes the connection.
    do {
        wait_readable(socket_, "waiting for the simulator to close the connection");
    } while (reader_.fill(socket_));
    close_fd(socket_);
    int status = 0;
    while (::waitpid(child_, &status, 0) < 0) {
        if (errno != EINTR) throw_errno("waitpid");
    }
    child_ = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(fmt::format("mosaik benchmark: the simulator ended with status {:#x}", status));
    }
}

void MosaikBench::shut_down() noexcept {
    close_fd(socket_);
    close_fd(listener_);
    if (child_ > 0) {
        ::kill(child_, SIGTERM);
        int status = 0;
        while (::waitpid(child_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    child_ = -1;
}

}  // namespace mas::bench
