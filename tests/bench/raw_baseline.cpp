#include "raw_baseline.hpp"

#include <sys/socket.h>

#include <stdexcept>
#include <vector>

#include <spdlog/spdlog.h>

#include "raw_socket.hpp"
#include "workload.hpp"

namespace mas::bench {
namespace {

// The server thread: one connection; every request frame is answered with `reply`, and the
// replies to one batch of requests go out in one send().
void serve(int listener, bool tcp, const std::string& reply) noexcept {
    int fd = -1;
    try {
        fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;  // the listener was shut down because the client never connected
        if (tcp) set_no_delay(fd);
        RawFrameReader reader;
        std::string out;
        while (reader.fill(fd)) {
            out.clear();
            for (auto n = reader.take_frames(); n > 0; --n) out += reply;
            write_all(fd, out.data(), out.size());
        }
    } catch (const std::exception& e) {
        spdlog::error("raw baseline server: {}", e.what());
    }
    close_fd(fd);
}

}  // namespace

RawBench::RawBench(const Endpoint& endpoint) : RawBench(endpoint, add_request_frame(), add_reply_frame()) {}

RawBench::RawBench(const Endpoint& endpoint, std::string request_frame, std::string reply_frame)
    : request_(std::move(request_frame)), reader_(std::make_unique<RawFrameReader>()) {
    auto address = endpoint;
    listener_ = listen_on(address);
    server_ = std::thread(serve, listener_, address.kind == Endpoint::Kind::tcp, std::move(reply_frame));
    try {
        client_ = connect_to(address);
    } catch (...) {
        ::shutdown(listener_, SHUT_RDWR);  // wakes the server thread's accept()
        server_.join();
        close_fd(listener_);
        throw;
    }
}

RawBench::~RawBench() {
    close_fd(client_);  // the server thread sees end of stream and returns
    ::shutdown(listener_, SHUT_RDWR);
    server_.join();
    close_fd(listener_);
}

std::size_t RawBench::read_replies() {
    for (;;) {
        if (const auto n = reader_->take_frames(); n > 0) return n;
        if (!reader_->fill(client_)) throw std::runtime_error("raw baseline: the server closed the connection");
    }
}

Latency RawBench::sequential(std::size_t warmup, std::size_t iterations) {
    for (std::size_t i = 0; i < warmup; ++i) {
        write_all(client_, request_.data(), request_.size());
        read_replies();
    }
    std::vector<Clock::duration> samples;
    samples.reserve(iterations);
    for (std::size_t i = 0; i < iterations; ++i) {
        const auto start = Clock::now();
        write_all(client_, request_.data(), request_.size());
        read_replies();
        samples.push_back(Clock::now() - start);
    }
    return summarize(std::move(samples));
}

double RawBench::pipelined(std::size_t in_flight, const ThroughputPhases& phases) {
    std::string batch;
    for (std::size_t i = 0; i < in_flight; ++i) batch += request_;
    ThroughputWindow window(phases);
    write_all(client_, batch.data(), batch.size());
    auto outstanding = in_flight;
    bool sending = true;
    while (outstanding > 0) {
        const auto done = read_replies();
        outstanding -= done;
        std::size_t again = 0;
        for (std::size_t i = 0; i < done; ++i) {
            sending = window.record() && sending;
            again += sending ? 1 : 0;
        }
        // Each completed request is replaced at once, so `in_flight` stay outstanding.
        write_all(client_, batch.data(), again * request_.size());
        outstanding += again;
    }
    return window.per_second();
}

}  // namespace mas::bench
