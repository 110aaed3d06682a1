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

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void run_results(int rounds, Report& report) {
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("mas-bench-results-{}", ::getpid());
    std::filesystem::create_directories(dir);
    spdlog::info("results: generating {} households x {} times", households, times);
    const auto records = make_records();
    std::vector<double> csv_s, hdf5_s;
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
    }
    report.add("results.values", static_cast<double>(records.size()), "");
    report.add_rounds("results.csv_s", csv_s, "s");
    report.add_rounds("results.hdf5_s", hdf5_s, "s");
    report.add_round_ratio("results.hdf5_vs_csv", "results.hdf5_s", "results.csv_s", Goal{Goal::Kind::at_most, 2});
    report.add("results.csv_mib", static_cast<double>(std::filesystem::file_size(dir / "results.csv")) / (1 << 20), "MiB");
    report.add("results.hdf5_mib", static_cast<double>(std::filesystem::file_size(dir / "results.h5")) / (1 << 20), "MiB");
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

}  // namespace mas::bench
