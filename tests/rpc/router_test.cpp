#include "mas/rpc/router.hpp"

#include <catch2/catch.hpp>

#include "mas/rpc/service.hpp"

using namespace mas;
using Catch::Contains;

namespace {

class Leaf : public rpc::Service {
public:
    Leaf() { expose("f", &Leaf::f); }
    int f() { return 1; }
};

}  // namespace

TEST_CASE("A router knows its path from the root of its tree", "[rpc]") {
    rpc::Service root;
    rpc::ServiceDict agents;
    Leaf agent;
    root.add_service("agents", agents);
    agents.add("0", agent);
    CHECK(root.router().path().empty());
    CHECK(agents.router().path() == "agents");
    CHECK(agent.router().path() == "agents/0");
    CHECK(&agent.router().root() == &root.router());
    CHECK(&root.router().resolve("agents/0/f") == &agent.router().resolve("f"));
}

TEST_CASE("Resolving a missing name gives aiomas' LookupError text with the prefix walked", "[rpc]") {
    rpc::Service root;
    Leaf leaf;
    root.expose("add", [](int a, int b) { return a + b; });
    root.add_service("leaf", leaf);
    auto message = [&](std::string_view path) {
        try {
            (void)root.router().resolve(path);
        } catch (const rpc::LookupError& e) {
            return std::string(e.what());
        }
        return std::string("resolved");
    };
    CHECK(message("does_not_exist") == R"(Name "does_not_exist" not found in "")");
    CHECK(message("add/sub") == R"(Name "sub" not found in "add")");
    CHECK(message("leaf/g") == R"(Name "g" not found in "leaf")");
    CHECK(message("") == R"(Name "" not found in "")");
    CHECK_THAT(message("leaf"), Contains("is a service, not a function"));
}

TEST_CASE("A destroyed service leaves its tree and its children become roots", "[rpc]") {
    rpc::ServiceDict agents;
    auto agent = std::make_unique<Leaf>();
    Leaf grandchild;
    agents.add("0", *agent);
    agent->add_service("child", grandchild);
    CHECK(agents.contains("0"));
    agent.reset();
    CHECK_FALSE(agents.contains("0"));
    CHECK(agents.size() == 0);
    CHECK(grandchild.router().parent() == nullptr);
    CHECK(grandchild.router().path().empty());
}

TEST_CASE("Exposed names must be unique, non-empty and free of slashes", "[rpc]") {
    rpc::Service svc;
    Leaf leaf;
    svc.expose("add", [](int a) { return a; });
    CHECK_THROWS_AS(svc.expose("add", [](int a) { return a; }), ConfigError);
    CHECK_THROWS_AS(svc.expose("", [](int a) { return a; }), ConfigError);
    CHECK_THROWS_AS(svc.expose("a/b", [](int a) { return a; }), ConfigError);
    CHECK_THROWS_AS(svc.add_service("add", leaf), ConfigError);
    CHECK_THROWS_AS(leaf.add_service("self", leaf), ConfigError);
    CHECK_THROWS_AS(svc.expose("two", [](int a, int b) { return a + b; }, {"a"}), ConfigError);
}

TEST_CASE("A service moved to another parent is reachable only there", "[rpc]") {
    rpc::Service first;
    rpc::Service second;
    Leaf leaf;
    first.add_service("x", leaf);
    second.add_service("y", leaf);
    CHECK(first.router().size() == 0);
    CHECK(leaf.router().path() == "y");
}
