#include "raw_stream.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "mas/msg/envelope.hpp"
#include "raw_socket.hpp"

namespace mas::bench {
namespace {

// The producer sends a connection's frames once this many bytes wait, as many as the consumer's
// buffer takes in one read. It used to send a ready-made batch of 64 frames (1,344 bytes) per
// write, framing nothing; libmas' sender frames each message and writes what gathered during the
// last write (up to a MiB). Measured here: the consumer is the bottleneck at about 40 ns a
// message whatever the batch (mostly its clock read), while the producer costs 16-24 ns a
// message with 1,344-byte writes and 9-16 ns with 16 KiB to 1 MiB, so this is among the best a
// raw sender does, not a handicap.
constexpr std::size_t batch_bytes = 64 * 1024;

// Sockets closed on scope exit.
struct Sockets {
    std::vector<int> fds;
    Sockets() = default;
    Sockets(const Sockets&) = delete;
    Sockets& operator=(const Sockets&) = delete;
    ~Sockets() {
        for (auto& fd : fds) close_fd(fd);
    }
};

// Frames each message as it is produced, as any sender of separate messages must (libmas'
// send() and try_send() do the same), round-robin over the connections as the libmas socket's
// round-robin mode does. Ends when the consumer closes its ends.
void produce(const std::vector<int>& fds, std::string_view payload) noexcept {
    try {
        std::vector<std::string> out(fds.size());
        for (auto& buffer : out) buffer.reserve(batch_bytes + payload.size() + msg::data_overhead);
        for (std::size_t next = 0;; next = next + 1 == fds.size() ? 0 : next + 1) {
            auto& buffer = out[next];
            msg::append_data(buffer, payload);
            if (buffer.size() < batch_bytes) continue;
            write_all(fds[next], buffer.data(), buffer.size());
            buffer.clear();
        }
    } catch (const std::exception& e) {
        // Normally the consumer closed its ends: the measurement is over. Otherwise the consumer
        // must not wait for more: it sees the end of the stream and fails the run.
        spdlog::debug("raw stream producer: {}", e.what());
        for (const int fd : fds) ::shutdown(fd, SHUT_RDWR);
    }
}

// Counts the whole frames `frames` holds; false once the measured window is over. Each one is
// checked to be DATA before it counts, the least a receiver does before it hands a message on.
bool consume(RawFrameReader& frames, ThroughputWindow& window) {
    while (const auto frame = frames.next_frame()) {
        if (frame->empty() || (*frame)[0] != static_cast<char>(msg::EnvelopeType::data)) {
            throw std::runtime_error("raw stream: a frame that is not DATA");
        }
        if (!window.record()) return false;
    }
    return true;
}

// Waits until one of `polls` is readable.
void wait_any(std::vector<pollfd>& polls) {
    while (::poll(polls.data(), polls.size(), -1) < 0) {
        if (errno != EINTR) throw_errno("poll");
    }
}

// Reads and counts until the measured window is over. One connection is read with a blocking
// recv(); several are waited for together with poll(), as the libmas receivers' event loop waits
// for all of its sockets on one thread.
double read_and_count(const std::vector<int>& fds, const ThroughputPhases& phases) {
    std::vector<RawFrameReader> readers(fds.size());
    std::vector<pollfd> polls;
    for (const int fd : fds) polls.push_back({fd, POLLIN, 0});
    ThroughputWindow window(phases);
    for (;;) {
        if (fds.size() > 1) wait_any(polls);
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds.size() > 1 && polls[i].revents == 0) continue;
            if (!readers[i].fill(fds[i])) throw std::runtime_error("raw stream: the producer closed a connection");
            if (!consume(readers[i], window)) return window.per_second();
        }
    }
}

}  // namespace

double raw_stream_throughput(std::string_view payload, std::size_t connections, const ThroughputPhases& phases) {
    auto endpoint = Endpoint::tcp("127.0.0.1", 0);
    Sockets listener;
    listener.fds.push_back(listen_on(endpoint));
    Sockets receiving;
    Sockets sending;
    for (std::size_t i = 0; i < connections; ++i) {
        receiving.fds.push_back(connect_to(endpoint));  // with TCP_NODELAY, as libmas' sockets have
        const int fd = ::accept4(listener.fds[0], nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) throw_errno("accept");
        sending.fds.push_back(fd);
        set_no_delay(fd);
    }
    std::thread producer(produce, std::cref(sending.fds), payload);
    double rate = 0;
    try {
        rate = read_and_count(receiving.fds, phases);
    } catch (...) {
        for (auto& fd : receiving.fds) close_fd(fd);  // ends the producer
        producer.join();
        throw;
    }
    for (auto& fd : receiving.fds) close_fd(fd);
    producer.join();
    return rate;
}

}  // namespace mas::bench
