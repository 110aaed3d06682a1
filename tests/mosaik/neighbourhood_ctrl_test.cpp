#include "neighbourhood_ctrl.hpp"

#include <catch2/catch.hpp>

#include "mosaik/mosaik_peer.hpp"
#include "mosaik/sim_session.hpp"

using namespace mas;
using mas::test::SimCall;

namespace {

Json house_and_pv(double load_a, double load_b, double pv, std::optional<double> soc) {
    auto in = Json::object({{"load_p_w", Json::object({{"Household-0.House_0", load_a}, {"Household-0.House_1", load_b}})},
                            {"pv_p_w", Json::object({{"PV-0.PV_0", pv}})}});
    if (soc) in.as_object().insert_or_assign("soc", Json::object({{"Battery-0.Battery_0", *soc}}));
    return in;
}

SimCall step(std::int64_t t, Json a, Json b) {
    return {"step", Json::array({t, Json::object({{"BatteryController_0", std::move(a)}, {"BatteryController_1", std::move(b)}}), 86400})};
}

const Json both = Json::object({{"BatteryController_0", Json::array({"p_set_w"})},
                                {"BatteryController_1", Json::array({"p_set_w"})}});

Json set_points(std::int64_t t, double a, double b) {
    return Json::object({{"time", t},
                         {"BatteryController_0", Json::object({{"p_set_w", a}})},
                         {"BatteryController_1", Json::object({{"p_set_w", b}})}});
}

}  // namespace

TEST_CASE("Battery agents share the PV surplus and keep their reserve", "[mosaik]") {
    sims::NeighbourhoodCtrl ctrl;
    const auto get = SimCall{"get_data", Json::array({both})};
    auto session = test::run_session(
        ctrl, {{"init", Json::array({"Controller-0"}), Json::object({{"time_resolution", 1.0}})},
               {"create", Json::array({2, "BatteryController"}), Json::object({{"reserve_soc", 0.2}})},
               step(0, house_and_pv(1000, 500, 3500, 0.5), house_and_pv(1000, 500, 3500, 0.5)), get,
               step(900, house_and_pv(2000, 1000, 0, 0.5), house_and_pv(2000, 1000, 0, 0.2)), get,
               step(1800, house_and_pv(0, 0, 2000, 1.0), house_and_pv(0, 0, 2000, 0.9)), get});
    CHECK(session.ok(0)["type"] == Json("hybrid"));
    CHECK(session.ok(0)["models"]["BatteryController"]["trigger"] == Json::array({"load_p_w", "pv_p_w"}));
    CHECK(test::same_json(session.ok(3), set_points(0, 1000, 1000)));
    CHECK(test::same_json(session.ok(5), set_points(900, -1500, 0)));  // the second battery is at its reserve
    CHECK(test::same_json(session.ok(7), set_points(1800, 0, 1000)));  // the first battery is full
}

TEST_CASE("A reserve outside 0..1 is rejected at create", "[mosaik]") {
    sims::NeighbourhoodCtrl ctrl;
    auto session = test::run_session(ctrl, {{"init", Json::array({"Controller-0"}), Json::object({{"time_resolution", 1.0}})},
                                            {"create", Json::array({1, "BatteryController"}), Json::object({{"reserve_soc", 1.5}})}});
    CHECK_THAT(session.failure(1), Catch::Contains("reserve_soc must be between 0 and 1, got 1.5"));
}
