// Argument binding of exposed functions, called in-process through their handlers.

#include "mas/rpc/service.hpp"

#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "support/run.hpp"

using namespace mas;
using Catch::Contains;

namespace {

class MathServer : public rpc::Service {
public:
    MathServer() {
        expose("add", &MathServer::add, {"a", "b"});
        expose("scale", &MathServer::scale, {"x", "factor"});
        expose("count", &MathServer::count);
        expose("slow_add", &MathServer::slow_add, {"a", "b"});
    }
    int add(int a, int b) const { return a + b; }
    double scale(double x, std::optional<double> factor) { return x * factor.value_or(2.0); }
    int count() { return ++calls_; }
    asio::awaitable<int> slow_add(int a, const std::string& b) { co_return a + static_cast<int>(b.size()); }

private:
    int calls_ = 0;
};

// Calls `path` on `svc` in-process, as the serve loop does, and returns the plain result.
Json call(rpc::Service& svc, std::string_view path, JsonArray args, JsonObject kwargs = {}) {
    std::shared_ptr<rpc::detail::ConnectionState> none;
    rpc::CallArgs call_args(args, kwargs, none);
    auto invocation = svc.router().resolve(path).invoke(call_args);
    REQUIRE_FALSE(invocation.pending);
    return invocation.result;
}

std::string call_error(rpc::Service& svc, std::string_view path, JsonArray args, JsonObject kwargs = {}) {
    try {
        call(svc, path, std::move(args), std::move(kwargs));
    } catch (const rpc::ArgumentError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("Positional and keyword arguments bind to parameters by name", "[rpc]") {
    MathServer svc;
    CHECK(call(svc, "add", {1, 2}) == Json(3));
    CHECK(call(svc, "add", {1}, {{"b", 2}}) == Json(3));
    CHECK(call(svc, "add", {}, {{"b", 2}, {"a", 5}}) == Json(7));
    CHECK(call(svc, "count", {}) == Json(1));
    CHECK(call(svc, "count", {}) == Json(2));
}

TEST_CASE("An optional parameter may be left out or sent as null", "[rpc]") {
    MathServer svc;
    CHECK(call(svc, "scale", {1.5}) == Json(3.0));
    CHECK(call(svc, "scale", {1.5, nullptr}) == Json(3.0));
    CHECK(call(svc, "scale", {1.5}, {{"factor", 3}}) == Json(4.5));
}

TEST_CASE("Calls that do not fit the parameters fail with Python's wording and the function name", "[rpc]") {
    MathServer svc;
    CHECK(call_error(svc, "add", {1}) == "MathServer.add() missing 1 required positional argument: 'b'");
    CHECK(call_error(svc, "add", {}) == "MathServer.add() missing 2 required positional arguments: 'a' and 'b'");
    CHECK(call_error(svc, "add", {1, 2, 3}) == "MathServer.add() takes 2 positional arguments but 3 were given");
    CHECK(call_error(svc, "add", {1, 2}, {{"c", 1}}) == "MathServer.add() got an unexpected keyword argument 'c'");
    CHECK(call_error(svc, "add", {1, 2}, {{"a", 1}}) == "MathServer.add() got multiple values for argument 'a'");
    CHECK(call_error(svc, "count", {1}) == "MathServer.count() takes 0 positional arguments but 1 was given");
    const auto type_error = call_error(svc, "add", {1, "two"});
    CHECK_THAT(type_error, Contains("MathServer.add() argument 'b'"));
    CHECK_THAT(type_error, Contains("string"));
    CHECK_THAT(call_error(svc, "add", {1, 1e30}), Contains("argument 'b'"));
}

TEST_CASE("Without parameter names only positional calls fit", "[rpc]") {
    rpc::Service svc;
    svc.expose("mul", [](int a, int b) { return a * b; });
    CHECK(call(svc, "mul", {6, 7}) == Json(42));
    CHECK(call_error(svc, "mul", {6}, {{"b", 7}}) == "mul() got an unexpected keyword argument 'b'");
    CHECK(call_error(svc, "mul", {6}) == "mul() missing 1 required positional argument: '#2'");
}

TEST_CASE("Free functions, lambdas and function objects are exposed alike", "[rpc]") {
    struct Greeter {
        std::string prefix;
        std::string operator()(const std::string& name) const { return prefix + name; }
    };
    rpc::Service svc;
    svc.expose("neg", +[](int x) { return -x; });
    svc.expose("greet", Greeter{"hi "});
    svc.expose("nothing", [] {});
    CHECK(call(svc, "neg", {5}) == Json(-5));
    CHECK(call(svc, "greet", {"bob"}) == Json("hi bob"));
    CHECK(call(svc, "nothing", {}).is_null());
}

TEST_CASE("A coroutine function keeps its converted arguments alive until it completes", "[rpc]") {
    MathServer svc;
    asio::io_context io;
    JsonArray args{1, "abc"};
    JsonObject kwargs;
    std::shared_ptr<rpc::detail::ConnectionState> none;
    rpc::CallArgs call_args(args, kwargs, none);
    auto invocation = svc.router().resolve("slow_add").invoke(call_args);
    REQUIRE(invocation.pending);
    args.clear();  // the wire arguments may go away; the bound ones must not
    CHECK(test::run(io, std::move(*invocation.pending)) == Json(4));
}
