// The energy simulators (household, pv, battery) through a scripted mosaik over TCP: the values
// users rely on, the limits the models keep, and clear errors for bad profiles and params.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "battery_sim.hpp"
#include "household_sim.hpp"
#include "mas/core/json.hpp"
#include "mosaik/sim_session.hpp"
#include "pv_sim.hpp"
#include "support/test_pki.hpp"

using namespace mas;
using test::SimCall;

namespace {

std::string data_file(const std::string& name) { return std::string(MAS_SCENARIO_DATA_DIR) + "/" + name; }

std::string write_file(const test::TempDir& dir, const std::string& name, const std::string& text) {
    const auto path = dir.path() / name;
    std::ofstream(path) << text;
    return path.string();
}

SimCall init(const std::string& sid, Json kwargs) { return {"init", Json::array({sid}), std::move(kwargs)}; }
SimCall create(std::int64_t num, const std::string& model, Json params = Json::object()) {
    return {"create", Json::array({num, model}), std::move(params)};
}
SimCall step(std::int64_t time, Json inputs = Json::object()) {
    return {"step", Json::array({time, std::move(inputs), 10 * 86400})};
}
SimCall get(const std::string& eid, Json attrs) {
    return {"get_data", Json::array({Json::object({{eid, std::move(attrs)}})})};
}
double number(const Json& value) { return value.get<double>(); }

// Inputs of one entity's p_set_w: {eid: {"p_set_w": {source: value, ...}}}.
Json set_points(const std::string& eid, Json sources) {
    return Json::object({{eid, Json::object({{"p_set_w", std::move(sources)}})}});
}

constexpr std::int64_t day = 86400;
constexpr std::int64_t minute = 60;

}  // namespace

// ---- household ------------------------------------------------------------------------------

TEST_CASE("household replays the load profile at the step's time of day, scaled per house", "[mosaik]") {
    sims::HouseholdSim sim;
    const auto p_w = Json::array({"p_w"});
    auto session = test::run_session(sim, {
        init("Household-0", Json::object({{"time_resolution", 1.0}, {"profile", data_file("household_load.csv")}})),
        create(1, "House"),
        create(1, "House", Json::object({{"scale", 2.0}})),
        step(0),
        get("House_0", p_w),
        get("House_1", p_w),
        step(435 * minute),  // 07:15, the morning peak
        get("House_0", p_w),
        step(435 * minute + 7 * minute),  // within the same 15-minute row
        get("House_0", p_w),
        step(day),  // the next midnight: the profile wraps around
        get("House_0", p_w),
        step(day + 1140 * minute),  // 19:00 of the second day, the evening peak
        get("House_1", p_w),
    });
    const auto& meta = session.ok(0);
    CHECK(meta["type"] == Json("time-based"));
    CHECK(meta["models"]["House"]["params"] == Json::array({"scale"}));
    CHECK(meta["models"]["House"]["attrs"] == Json::array({"p_w"}));
    CHECK(session.ok(1) == Json::array({Json::object({{"eid", "House_0"}, {"type", "House"}})}));
    CHECK(session.ok(2) == Json::array({Json::object({{"eid", "House_1"}, {"type", "House"}})}));
    CHECK(session.ok(3) == Json(900));  // default step_size 900
    CHECK(number(session.ok(4)["House_0"]["p_w"]) == Approx(152));
    CHECK(number(session.ok(5)["House_1"]["p_w"]) == Approx(304));
    CHECK(number(session.ok(7)["House_0"]["p_w"]) == Approx(1062));
    CHECK(number(session.ok(9)["House_0"]["p_w"]) == Approx(1062));
    CHECK(number(session.ok(11)["House_0"]["p_w"]) == Approx(152));
    CHECK(number(session.ok(13)["House_1"]["p_w"]) == Approx(2 * 1500));
    CHECK(session.end == mosaik::ServeEnd::stopped);
}

TEST_CASE("household maps mosaik time to the time of day through time_resolution and step_size", "[mosaik]") {
    sims::HouseholdSim sim;
    // One time unit is a minute; a step is 15 of them.
    auto session = test::run_session(sim, {
        init("Household-0", Json::object({{"time_resolution", 60.0},
                                          {"step_size", 15},
                                          {"profile", data_file("household_load.csv")}})),
        create(1, "House"),
        step(435),
        get("House_0", Json::array({"p_w"})),
    });
    CHECK(session.ok(2) == Json(450));
    CHECK(number(session.ok(3)["House_0"]["p_w"]) == Approx(1062));
}

TEST_CASE("household reports a missing or malformed profile clearly, with the line number", "[mosaik]") {
    test::TempDir dir;
    const auto missing = (dir.path() / "nope.csv").string();
    const auto bad_number = write_file(dir, "bad_number.csv", "minute,p_w\n0,100\n15,abc\n");
    const auto bad_fields = write_file(dir, "bad_fields.csv", "minute,p_w\r\n0,100\r\n\r\n15,200,7\r\n");
    const auto bad_header = write_file(dir, "bad_header.csv", "time,power\n0,100\n");
    const auto not_increasing = write_file(dir, "order.csv", "minute,p_w\n0,100\n30,120\n15,130\n");
    const auto late_start = write_file(dir, "late.csv", "minute,p_w\n15,100\n");
    const auto negative = write_file(dir, "negative.csv", "minute,p_w\n0,-5\n");
    const auto out_of_day = write_file(dir, "day.csv", "minute,p_w\n0,5\n1440,6\n");
    const auto empty = write_file(dir, "empty.csv", "minute,p_w\n\n");
    auto with_profile = [](const std::string& path) { return init("Household-0", Json::object({{"profile", path}})); };
    sims::HouseholdSim sim;
    auto session = test::run_session(sim, {
        init("Household-0", Json::object()),
        with_profile(missing),
        with_profile(dir.path().string()),
        with_profile(bad_number),
        with_profile(bad_fields),
        with_profile(bad_header),
        with_profile(not_increasing),
        with_profile(late_start),
        with_profile(negative),
        with_profile(out_of_day),
        with_profile(empty),
    });
    CHECK_THAT(session.failure(0), Catch::Contains("household: missing required param 'profile'"));
    CHECK_THAT(session.failure(1), Catch::Contains("household: profile '" + missing + "': cannot read: no such file"));
    CHECK_THAT(session.failure(2), Catch::Contains("not a regular file"));
    CHECK_THAT(session.failure(3), Catch::Contains(bad_number + ":3: p_w must be a finite number, got 'abc'"));
    CHECK_THAT(session.failure(4), Catch::Contains(bad_fields + ":4: expected 2 fields 'minute,p_w', got '15,200,7'"));
    CHECK_THAT(session.failure(5),
               Catch::Contains(bad_header + ":1: expected the header 'minute,p_w', got 'time,power'"));
    CHECK_THAT(session.failure(6),
               Catch::Contains(not_increasing + ":4: minute 15 does not come after the previous minute 30"));
    CHECK_THAT(session.failure(7), Catch::Contains(late_start + ":2: the first row must be minute 0, got 15"));
    CHECK_THAT(session.failure(8), Catch::Contains(negative + ":2: p_w must be >= 0, got -5"));
    CHECK_THAT(session.failure(9), Catch::Contains(out_of_day + ":3: minute must be in 0..1439, got 1440"));
    CHECK_THAT(session.failure(10), Catch::Contains(empty + ": no data rows after the header"));
}

TEST_CASE("household rejects invalid params", "[mosaik]") {
    const auto profile = data_file("household_load.csv");
    sims::HouseholdSim sim;
    auto session = test::run_session(sim, {
        init("Household-0", Json::object({{"profile", profile}, {"step_size", 0}})),
        init("Household-0", Json::object({{"profile", profile}, {"step_size", 1.5}})),
        init("Household-0", Json::object({{"profile", profile}, {"time_resolution", -1.0}})),
        init("Household-0", Json::object({{"profile", 7}})),
        init("Household-0", Json::object({{"profile", profile}})),
        create(1, "House", Json::object({{"scale", -1}})),
        create(1, "House", Json::object({{"scale", "big"}})),
        create(1, "House", Json::object({{"colour", "red"}})),  // the adapter checks declared params
    });
    CHECK_THAT(session.failure(0), Catch::Contains("household: param 'step_size' must be > 0, got 0"));
    CHECK_THAT(session.failure(1), Catch::Contains("param 'step_size' must be an integer, got float 1.5"));
    CHECK_THAT(session.failure(2), Catch::Contains("time_resolution must be a number > 0"));
    CHECK_THAT(session.failure(3), Catch::Contains("param 'profile' must be a string, got int 7"));
    session.ok(4);
    CHECK_THAT(session.failure(5), Catch::Contains("param 'scale' must be >= 0, got -1"));
    CHECK_THAT(session.failure(6), Catch::Contains("param 'scale' must be a number, got string \"big\""));
    CHECK_THAT(session.failure(7), Catch::Contains("unexpected param 'colour'"));
}

// ---- pv -------------------------------------------------------------------------------------

TEST_CASE("pv generates nothing at night and peak * derating * irradiance / 1000 by day", "[mosaik]") {
    sims::PvSim sim;
    const auto attrs = Json::array({"p_w", "irradiance_w_m2"});
    auto session = test::run_session(sim, {
        init("PV-0", Json::object({{"profile", data_file("irradiance.csv")}})),
        create(1, "PV", Json::object({{"peak_power_wp", 5000}})),
        step(0),
        get("PV_0", attrs),
        step(780 * minute),  // 13:00, solar noon: 880 W/m²
        get("PV_0", attrs),
        step(day + 1425 * minute),  // late evening of the second day
        get("PV_0", attrs),
    });
    const auto& meta = session.ok(0);
    CHECK(meta["models"]["PV"]["params"] == Json::array({"peak_power_wp", "derating"}));
    CHECK(meta["models"]["PV"]["attrs"] == Json::array({"p_w", "irradiance_w_m2"}));
    CHECK(number(session.ok(3)["PV_0"]["p_w"]) == 0);
    CHECK(number(session.ok(3)["PV_0"]["irradiance_w_m2"]) == 0);
    CHECK(number(session.ok(5)["PV_0"]["irradiance_w_m2"]) == Approx(880));
    CHECK(number(session.ok(5)["PV_0"]["p_w"]) == Approx(5000 * 0.85 * 0.88));
    CHECK(number(session.ok(7)["PV_0"]["p_w"]) == 0);
}

TEST_CASE("pv generation stays between 0 and the peak power over a whole day", "[mosaik]") {
    test::TempDir dir;
    // Cloud-edge irradiance above 1000 W/m² would exceed the peak without the cap.
    const auto bright = write_file(dir, "bright.csv", "minute,irradiance_w_m2\n0,0\n600,1300\n720,1000\n");
    sims::PvSim sim;
    std::vector<SimCall> calls = {
        init("PV-0", Json::object({{"profile", bright}, {"step_size", 900}})),
        create(1, "PV", Json::object({{"peak_power_wp", 4000}, {"derating", 1.0}})),
    };
    for (std::int64_t t = 0; t < day; t += 900) {
        calls.push_back(step(t));
        calls.push_back(get("PV_0", Json::array({"p_w"})));
    }
    auto session = test::run_session(sim, calls);
    double highest = 0;
    for (std::size_t i = 3; i < calls.size(); i += 2) {
        const auto p_w = number(session.ok(i)["PV_0"]["p_w"]);
        CHECK(p_w >= 0);
        CHECK(p_w <= 4000);
        highest = std::max(highest, p_w);
    }
    CHECK(highest == 4000);
}

TEST_CASE("pv rejects invalid params and a negative irradiance", "[mosaik]") {
    test::TempDir dir;
    const auto negative = write_file(dir, "neg.csv", "minute,irradiance_w_m2\n0,0\n15,-3\n");
    const auto wrong_column = write_file(dir, "col.csv", "minute,p_w\n0,0\n");
    const auto profile = data_file("irradiance.csv");
    sims::PvSim sim;
    auto session = test::run_session(sim, {
        init("PV-0", Json::object({{"profile", negative}})),
        init("PV-0", Json::object({{"profile", wrong_column}})),
        init("PV-0", Json::object()),
        init("PV-0", Json::object({{"profile", profile}})),
        create(1, "PV"),
        create(1, "PV", Json::object({{"peak_power_wp", -100}})),
        create(1, "PV", Json::object({{"peak_power_wp", 100}, {"derating", 1.2}})),
        create(1, "PV", Json::object({{"peak_power_wp", 100}, {"derating", 0}})),
    });
    CHECK_THAT(session.failure(0), Catch::Contains(negative + ":3: irradiance_w_m2 must be >= 0, got -3"));
    CHECK_THAT(session.failure(1), Catch::Contains("expected the header 'minute,irradiance_w_m2', got 'minute,p_w'"));
    CHECK_THAT(session.failure(2), Catch::Contains("pv: missing required param 'profile'"));
    session.ok(3);
    CHECK_THAT(session.failure(4), Catch::Contains("pv: missing required param 'peak_power_wp'"));
    CHECK_THAT(session.failure(5), Catch::Contains("param 'peak_power_wp' must be > 0, got -100"));
    CHECK_THAT(session.failure(6), Catch::Contains("param 'derating' must be between 0 and 1, got 1.2"));
    CHECK_THAT(session.failure(7), Catch::Contains("param 'derating' must be > 0"));
}

// ---- battery --------------------------------------------------------------------------------

TEST_CASE("battery charging 1000 W for an hour into 500 Wh fills it and applies only 500 W", "[mosaik]") {
    sims::BatterySim sim;
    const auto attrs = Json::array({"p_w", "soc", "energy_wh", "p_set_w"});
    auto session = test::run_session(sim, {
        init("Battery-0", Json::object({{"time_resolution", 1.0}, {"step_size", 3600}})),
        create(1, "Battery", Json::object({{"capacity_wh", 500}, {"max_charge_w", 2000},
                                           {"max_discharge_w", 2000}, {"initial_soc", 0}})),
        get("Battery_0", attrs),
        step(0, set_points("Battery_0", Json::object({{"Ctrl-0.c", 1000}}))),
        get("Battery_0", attrs),
        step(3600, set_points("Battery_0", Json::object({{"Ctrl-0.c", 1000}}))),
        get("Battery_0", attrs),
    });
    const auto& meta = session.ok(0);
    CHECK(meta["type"] == Json("time-based"));
    CHECK(meta["models"]["Battery"]["params"] ==
          Json::array({"capacity_wh", "max_charge_w", "max_discharge_w", "initial_soc"}));
    CHECK(meta["models"]["Battery"]["attrs"] == Json::array({"p_set_w", "p_w", "soc", "energy_wh"}));
    CHECK(number(session.ok(2)["Battery_0"]["soc"]) == 0);
    CHECK(session.ok(3) == Json(3600));
    const auto& first = session.ok(4)["Battery_0"];
    CHECK(number(first["p_set_w"]) == 1000);
    CHECK(number(first["p_w"]) == Approx(500));
    CHECK(number(first["soc"]) == 1.0);
    CHECK(number(first["energy_wh"]) == Approx(500));
    const auto& full = session.ok(6)["Battery_0"];
    CHECK(number(full["p_w"]) == 0);
    CHECK(number(full["soc"]) == 1.0);
}

TEST_CASE("battery clamps the set point to its charge and discharge limits", "[mosaik]") {
    sims::BatterySim sim;
    const auto attrs = Json::array({"p_w", "soc", "energy_wh"});
    auto session = test::run_session(sim, {
        init("Battery-0", Json::object({{"step_size", 900}})),  // 15 minutes
        create(1, "Battery", Json::object({{"capacity_wh", 10000}, {"max_charge_w", 3000},
                                           {"max_discharge_w", 2000}})),  // initial_soc 0.5
        step(0, set_points("Battery_0", Json::object({{"Ctrl-0.c", 5000}}))),
        get("Battery_0", attrs),
        step(900, set_points("Battery_0", Json::object({{"Ctrl-0.c", -4000}}))),
        get("Battery_0", attrs),
    });
    const auto& charged = session.ok(3)["Battery_0"];
    CHECK(number(charged["p_w"]) == Approx(3000));
    CHECK(number(charged["energy_wh"]) == Approx(5750));
    CHECK(number(charged["soc"]) == Approx(0.575));
    const auto& discharged = session.ok(5)["Battery_0"];
    CHECK(number(discharged["p_w"]) == Approx(-2000));
    CHECK(number(discharged["energy_wh"]) == Approx(5250));
    CHECK(number(discharged["soc"]) == Approx(0.525));
}

TEST_CASE("battery discharging stops at empty, sums its set points and idles without input", "[mosaik]") {
    sims::BatterySim sim;
    const auto attrs = Json::array({"p_w", "soc", "p_set_w"});
    auto session = test::run_session(sim, {
        init("Battery-0", Json::object({{"step_size", 3600}})),
        create(1, "Battery", Json::object({{"capacity_wh", 1000}, {"max_charge_w", 1000},
                                           {"max_discharge_w", 1000}, {"initial_soc", 0.1}})),
        step(0, set_points("Battery_0", Json::object({{"Ctrl-0.c", -1000}}))),
        get("Battery_0", attrs),
        step(3600, set_points("Battery_0", Json::object({{"Ctrl-0.a", 600}, {"Ctrl-0.b", -200}}))),
        get("Battery_0", attrs),
        step(7200),
        get("Battery_0", attrs),
    });
    const auto& emptied = session.ok(3)["Battery_0"];
    CHECK(number(emptied["p_w"]) == Approx(-100));
    CHECK(number(emptied["soc"]) == 0);
    const auto& summed = session.ok(5)["Battery_0"];
    CHECK(number(summed["p_set_w"]) == Approx(400));
    CHECK(number(summed["p_w"]) == Approx(400));
    CHECK(number(summed["soc"]) == Approx(0.4));
    const auto& idle = session.ok(7)["Battery_0"];
    CHECK(number(idle["p_w"]) == 0);
    CHECK(number(idle["soc"]) == Approx(0.4));
}

TEST_CASE("battery rejects invalid params and set points", "[mosaik]") {
    sims::BatterySim sim;
    auto params = [](double capacity, double charge, double discharge, Json soc) {
        return Json::object({{"capacity_wh", capacity}, {"max_charge_w", charge}, {"max_discharge_w", discharge},
                             {"initial_soc", std::move(soc)}});
    };
    auto session = test::run_session(sim, {
        init("Battery-0", Json::object({{"step_size", -900}})),
        init("Battery-0", Json::object()),
        create(1, "Battery", params(-5, 100, 100, 0.5)),
        create(1, "Battery", params(0, 100, 100, 0.5)),
        create(1, "Battery", params(1000, -1, 100, 0.5)),
        create(1, "Battery", params(1000, 100, -1, 0.5)),
        create(1, "Battery", params(1000, 100, 100, 1.5)),
        create(1, "Battery", params(1000, 100, 100, -0.1)),
        create(1, "Battery", params(1000, 100, 100, "full")),
        create(1, "Battery", Json::object({{"max_charge_w", 100}, {"max_discharge_w", 100}})),
        create(1, "Battery", params(1000, 100, 100, 0.5)),
        step(0, set_points("Battery_0", Json::object({{"Ctrl-0.c", "lots"}}))),
    });
    CHECK_THAT(session.failure(0), Catch::Contains("battery: param 'step_size' must be > 0, got -900"));
    session.ok(1);
    CHECK_THAT(session.failure(2), Catch::Contains("battery: param 'capacity_wh' must be > 0, got -5"));
    CHECK_THAT(session.failure(3), Catch::Contains("param 'capacity_wh' must be > 0, got 0"));
    CHECK_THAT(session.failure(4), Catch::Contains("param 'max_charge_w' must be >= 0, got -1"));
    CHECK_THAT(session.failure(5), Catch::Contains("param 'max_discharge_w' must be >= 0, got -1"));
    CHECK_THAT(session.failure(6), Catch::Contains("param 'initial_soc' must be between 0 and 1, got 1.5"));
    CHECK_THAT(session.failure(7), Catch::Contains("param 'initial_soc' must be between 0 and 1, got -0.1"));
    CHECK_THAT(session.failure(8), Catch::Contains("param 'initial_soc' must be a number, got string \"full\""));
    CHECK_THAT(session.failure(9), Catch::Contains("missing required param 'capacity_wh'"));
    CHECK(session.ok(10) == Json::array({Json::object({{"eid", "Battery_0"}, {"type", "Battery"}})}));
    CHECK_THAT(session.failure(11), Catch::Contains("battery: Battery_0.p_set_w from Ctrl-0.c must be a finite number, "
                                                    "got string \"lots\""));
    CHECK(session.end == mosaik::ServeEnd::stopped_after_failure);
}
