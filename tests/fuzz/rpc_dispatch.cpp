// RPC request dispatch: the fuzzer's bytes arrive as a peer's frames at a connection that serves
// a service tree (functions of several signatures, a coroutine, one that calls the peer back, one
// that throws, a sub-service and a dict of services). Every request gets a reply or the
// connection closes; nothing may hang, crash or leak.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "fuzz_support.hpp"
#include "mas/rpc/connection.hpp"
#include "mas/rpc/proxy.hpp"
#include "mas/rpc/service.hpp"

namespace {

class Numbers : public mas::rpc::Service {
public:
    Numbers() { expose("sub", &Numbers::sub, {"a", "b"}); }
    std::int64_t sub(std::int64_t a, std::int64_t b) { return a - b; }
};

class Tree : public mas::rpc::Service {
public:
    Tree() {
        expose("add", &Tree::add, {"a", "b"});
        expose("concat", &Tree::concat, {"parts", "separator"});
        expose("echo", &Tree::echo, {"value"});
        expose("twice", &Tree::twice, {"x"});
        expose("ping", &Tree::ping, {"callback", "value"});
        expose("boom", &Tree::boom);
        add_service("numbers", numbers_);
        add_service("dict", dict_);
        dict_.add("more", more_);
    }
    double add(double a, double b) { return a + b; }
    std::string concat(std::vector<std::string> parts, std::string separator) {
        std::string out;
        for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
        return out;
    }
    mas::Json echo(mas::Json value) { return value; }
    asio::awaitable<int> twice(int x) { co_return 2 * x; }
    asio::awaitable<int> ping(mas::rpc::Proxy callback, int value) { co_return co_await callback["pong"].call<int>(value); }
    int boom() { throw std::runtime_error("boom"); }

private:
    Numbers numbers_;
    Numbers more_;
    mas::rpc::ServiceDict dict_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    asio::io_context io;
    Tree tree;
    {
        mas::fuzz::SocketPair pair(io);
        mas::ChannelOptions options;
        options.codec = mas::rpc::with_proxy_type(nullptr);
        options.max_message_size = 1 << 20;
        auto connection = mas::rpc::serve(mas::fuzz::channel_over(std::move(pair.ours), options), &tree.router());
        mas::fuzz::play_peer(io, pair.theirs, data, size);
    }
    return 0;
}
