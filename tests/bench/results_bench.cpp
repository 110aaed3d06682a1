#include "results_bench.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "collector.hpp"
#include "hdf5_writer.hpp"
#include "measurement.hpp"
#include "record_table.hpp"
#include "report.hpp"
#include "run_report.hpp"

namespace mas::bench {
namespace {

// 10,000 households for a year at 15 minutes is 35,040 times x 10,000 = 350 million values; this
// keeps the shape (many entities, every time, one attribute) at a tenth of the entities and a
// tenth of the year: 3.5 million values.
constexpr std::size_t households = 1'000;
constexpr std::size_t times = 3'504;

// The records as a collector gets them: every household's p_w at every 15 minutes, the keys of
// one step those of the step before.
sims::RecordTable make_records() {
    sims::RecordTable records;
    std::vector<std::string> sources;
    for (std::size_t h = 0; h < households; ++h) sources.push_back(fmt::format("Household-0.House_{}", h));
    const std::string attr = "p_w";
    for (std::size_t t = 0; t < times; ++t) {
        const auto time = static_cast<std::int64_t>(t) * 900;
        records.begin_step(time, t > 0);
        const auto value = [&](std::size_t h) { return Json(300.0 + 200.0 * std::sin(0.001 * static_cast<double>(t * households + h))); };
        if (t == 0) {
            records.expect_keys(households);
            records.begin_group();
            for (std::size_t h = 0; h < households; ++h) records.add(sources[h], attr, value(h));
        } else {
            for (std::size_t h = 0; h < households; ++h) records.add_value(value(h));
        }
    }
    return records;
}

// What mas-run hands the report for such a run: its record (one simulator of the households, a
// collector with the results file) and a step per time of each.
Json run_document(const std::filesystem::path& results) {
    JsonObject types;
    types.reserve(households);
    for (std::size_t h = 0; h < households; ++h) types.insert_or_assign(fmt::format("Household-0.House_{}", h), "House");
    JsonArray events{Json::object({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 1},
                                   {"args", Json::object({{"name", "Household-0"}})}}),
                     Json::object({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 2},
                                   {"args", Json::object({{"name", "Collector-0"}})}})};
    for (std::size_t t = 0; t < times; ++t) {
        for (std::int64_t track = 1; track <= 2; ++track) {
            events.push_back(Json::object({{"name", "step"}, {"ph", "X"}, {"pid", 1}, {"tid", track},
                                           {"ts", static_cast<double>(2 * t + static_cast<std::size_t>(track))},
                                           {"dur", 1.0},
                                           {"args", Json::object({{"time", std::to_string(t * 900)}})}}));
        }
    }
    const auto sim = [](const char* sid, const char* start) {
        return Json::object({{"sid", sid}, {"name", sid}, {"start", start}, {"steps", static_cast<std::int64_t>(times)}});
    };
    auto record = Json::object(
        {{"scenario", "households.json"}, {"description", ""}, {"time_resolution", 1.0},
         {"until", static_cast<std::int64_t>(times * 900)}, {"wall_time_s", 1.0},
         {"simulators", Json::array({sim("Household-0", "cpp: household"), sim("Collector-0", "cpp: collector")})},
         {"connections", Json::array({Json::object({{"src", "Household-0"}, {"dest", "Collector-0"},
                                                    {"attrs", Json::array({Json::array({"p_w", "p_w"})})},
                                                    {"weak", false}, {"time_shifted", 0}, {"async_requests", false}})})},
         {"entity_types", Json(std::move(types))},
         {"results", Json::array({Json::object({{"sid", "Collector-0"}, {"path", results.string()}})})}});
    return Json::object({{"traceEvents", Json(std::move(events))}, {"displayTimeUnit", "ms"},
                         {"metadata", Json::object({{"mas_run", std::move(record)}})}});
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void run_results(int rounds, Report& report) {
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("mas-bench-results-{}", ::getpid());
    std::filesystem::create_directories(dir);
    spdlog::info("results: generating {} households x {} times", households, times);
    const auto records = make_records();
    std::vector<double> csv_s, hdf5_s, report_s, report_csv_s;
    const auto from_hdf5 = run_document(dir / "results.h5");
    const auto from_csv = run_document(dir / "results.csv");
    for (int round = 1; round <= rounds; ++round) {
        spdlog::info("results round {}/{}: {} values as CSV and as HDF5", round, rounds, records.size());
        // Both as the collector writes them at the end of a run, to a file on disk.
        auto start = std::chrono::steady_clock::now();
        {
            std::ofstream out(dir / "results.csv", std::ios::out | std::ios::trunc);
            sims::write_csv(out, records);
        }
        csv_s.push_back(seconds_since(start));
        start = std::chrono::steady_clock::now();
        sims::write_hdf5(records, (dir / "results.h5").string());
        hdf5_s.push_back(seconds_since(start));
        // The report as mas-run writes it after such a run: reading the results file back and
        // writing the page with every value in it.
        start = std::chrono::steady_clock::now();
        runner::write_report(from_hdf5, dir / "report.html");
        report_s.push_back(seconds_since(start));
        start = std::chrono::steady_clock::now();
        runner::write_report(from_csv, dir / "report-csv.html");
        report_csv_s.push_back(seconds_since(start));
    }
    report.add("results.values", static_cast<double>(records.size()), "");
    report.add_rounds("results.csv_s", csv_s, "s");
    report.add_rounds("results.hdf5_s", hdf5_s, "s");
    report.add_round_ratio("results.hdf5_vs_csv", "results.hdf5_s", "results.csv_s", Goal{Goal::Kind::at_most, 2});
    report.add_rounds("results.report_s", report_s, "s");
    std::vector<double> both_s;
    for (std::size_t i = 0; i < hdf5_s.size(); ++i) both_s.push_back(hdf5_s[i] + report_s[i]);
    report.add_rounds("results.hdf5_and_report_s", both_s, "s");
    report.add_round_ratio("results.report_vs_csv", "results.report_s", "results.csv_s", Goal{Goal::Kind::at_most, 2});
    report.add_round_ratio("results.hdf5_and_report_vs_csv", "results.hdf5_and_report_s", "results.csv_s",
                           Goal{Goal::Kind::at_most, 2});
    report.add_rounds("results.report_from_csv_s", report_csv_s, "s");
    report.add("results.report_mib", static_cast<double>(std::filesystem::file_size(dir / "report.html")) / (1 << 20), "MiB");
    report.add("results.csv_mib", static_cast<double>(std::filesystem::file_size(dir / "results.csv")) / (1 << 20), "MiB");
    report.add("results.hdf5_mib", static_cast<double>(std::filesystem::file_size(dir / "results.h5")) / (1 << 20), "MiB");
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

}  // namespace mas::bench
