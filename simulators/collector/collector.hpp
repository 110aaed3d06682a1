#pragma once
// Collector: records every value sent to it and, at the end of the simulation, writes them as a
// CSV table or an HDF5 file and reports a summary.
//
// Event-based. Sim params (all optional; without a path no file is written): `path`, the file to
// write after mosaik's stop, and `format`, "csv" or "hdf5" (by default HDF5 for a path ending in
// .h5 or .hdf5, else CSV); `csv_path`, a CSV file (instead of `path`). The HDF5 layout is in
// hdf5_writer.hpp. Model Monitor (no params, no attrs, any_inputs): one entity,
// "Monitor" (so mosaik names it "<sid>.Monitor"), that accepts any attribute from any entity.
// Every input is kept by (time, source full id, attribute); a value that arrives again for the
// same key replaces the earlier one.
//
// The CSV has the header `time,source,attribute,value` and one row per record, sorted by time,
// then source, then attribute (byte order). `time` is mosaik's integer time. `value` is the value
// as JSON text: numbers as Python prints them (mosaik's own formatting: 2.0, 1e-07), true, false,
// null; a string is written as its text, always in double quotes with inner quotes doubled (CSV
// quoting); lists and dicts as their JSON text, quoted. Source and attribute are quoted only when
// CSV needs it (a comma, quote or line break).

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "mas/mosaik/simulator.hpp"
#include "record_table.hpp"

namespace mas::sims {

/// Writes `records` as CSV (header and rows as described above).
void write_csv(std::ostream& out, const RecordTable& records);

/// mosaik simulator "collector": one Monitor that records all inputs and writes them (see above).
class Collector : public mosaik::Simulator {
public:
    /// Receives the summary line at finalize (the executable prints it to stdout).
    using SummarySink = std::function<void(const std::string& line)>;

    /// With an empty `summary`, the summary is logged at info level.
    explicit Collector(SummarySink summary = {}) : summary_(std::move(summary)) {}

    /// Throws mas::ConfigError for a path that is not a non-empty string or whose directory does
    /// not exist, for both path and csv_path, and for a format other than csv or hdf5.
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& sim_params) override;
    /// Creates the one Monitor; throws mas::ConfigError for a second one.
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model,
                                       const JsonObject& model_params) override;
    /// Records the inputs; never asks for a step of its own.
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    /// The Monitor has no attributes: an entity entry without values.
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;
    /// Writes the file (if a path was given) and reports the summary. Throws mas::Error if the
    /// file cannot be written.
    void finalize() override;

    /// Writes the records as CSV (header and rows as described above).
    void write_csv(std::ostream& out) const;
    /// "<n> records from <m> sources, time <first> to <last>" (or "0 records").
    [[nodiscard]] std::string summary() const;

private:
    std::optional<std::string> path_;
    bool hdf5_ = false;
    SummarySink summary_;
    std::string sid_;
    bool created_ = false;
    RecordTable records_;
};

}  // namespace mas::sims
