#include "mas/agent/agent_factories.hpp"

#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "mas/agent/container.hpp"
#include "mas/rpc/router.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace mas::agent;

namespace {

class Plain : public Agent {
public:
    explicit Plain(Container& c) : Agent(c) {}
};

class Labelled : public Agent {
public:
    Labelled(Container& c, std::string label, std::optional<int> count)
        : Agent(c), label(std::move(label)), count(count) {}
    std::string label;
    std::optional<int> count;
};

}  // namespace

TEST_CASE("AgentFactories create agents by name from positional and keyword arguments", "[agent]") {
    asio::io_context io;
    auto container = test::run(io, Container::create("local://factories"));
    AgentFactories factories;
    factories.add<Plain>("Plain").add<Labelled, std::string, std::optional<int>>("Labelled", {"label", "count"});
    CHECK(factories.names() == std::vector<std::string>{"Labelled", "Plain"});
    CHECK(factories.contains("Plain"));
    CHECK_FALSE(factories.contains("Other"));

    auto& plain = factories.create(*container, "Plain", {}, {});
    CHECK(dynamic_cast<Plain*>(&plain) != nullptr);
    CHECK(plain.aid() == "0");

    auto& by_keyword = factories.create(*container, "Labelled", {}, JsonObject{{"label", "x"}, {"count", 2}});
    auto* labelled = dynamic_cast<Labelled*>(&by_keyword);
    REQUIRE(labelled != nullptr);
    CHECK(labelled->label == "x");
    CHECK(labelled->count == 2);
    auto& positional = dynamic_cast<Labelled&>(factories.create(*container, "Labelled", JsonArray{Json("y")}, {}));
    CHECK(positional.label == "y");
    CHECK_FALSE(positional.count);
    CHECK(container->agent_count() == 3);
}

TEST_CASE("AgentFactories report unknown names and arguments that do not fit", "[agent]") {
    asio::io_context io;
    auto container = test::run(io, Container::create("local://factories-errors"));
    AgentFactories factories;
    factories.add<Labelled, std::string, std::optional<int>>("Labelled", {"label", "count"});
    try {
        factories.create(*container, "Nope", {}, {});
        FAIL("no exception");
    } catch (const rpc::LookupError& e) {
        CHECK(std::string(e.what()) == "No agent factory \"Nope\"; known factories: \"Labelled\"");
    }
    try {
        factories.create(*container, "Labelled", JsonArray{Json(1)}, {});
        FAIL("no exception");
    } catch (const rpc::ArgumentError& e) {
        CHECK_THAT(e.what(), Catch::StartsWith("Labelled() argument 'label': "));
    }
    CHECK_THROWS_WITH(factories.create(*container, "Labelled", {}, {}),
                      "Labelled() missing 1 required positional argument: 'label'");
    CHECK(container->agent_count() == 0);  // nothing was created
}

TEST_CASE("AgentFactories refuse a taken name, an empty name and a wrong number of parameter names", "[agent]") {
    AgentFactories factories;
    factories.add<Plain>("Plain");
    CHECK_THROWS_AS(factories.add<Plain>("Plain"), ConfigError);
    CHECK_THROWS_AS(factories.add<Plain>(""), ConfigError);
    CHECK_THROWS_AS((factories.add<Labelled, std::string, std::optional<int>>("Labelled", {"label"})), ConfigError);
    CHECK_THROWS_AS(factories.add_factory("Empty", AgentFactories::Factory()), ConfigError);
}
