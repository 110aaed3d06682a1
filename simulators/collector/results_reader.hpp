#pragma once
// Reading a collector's results file back (CSV or HDF5, as collector.hpp and hdf5_writer.hpp
// describe them), for mas-run's report: the times, and per attribute a table of numbers with a
// column per source entity.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mas::sims {

/// One attribute's values: `values[row * entities.size() + column]` is the value entity
/// `entities[column]` sent at `Results::times[row]`; NaN where it sent nothing (or null). Booleans
/// are 1 and 0. An attribute with a string, list or dict value is `text` and has no values.
struct ResultsAttribute {
    std::string name;
    std::vector<std::string> entities;  ///< full ids, byte order
    std::vector<double> values;
    bool text = false;
};

/// A collector's results file.
struct Results {
    std::vector<std::int64_t> times;            ///< ascending, every time with a record
    std::vector<ResultsAttribute> attributes;   ///< by name, byte order
};

/// Reads a collector's results file, telling CSV from HDF5 by its first bytes. Throws mas::Error
/// naming the file: missing, unreadable, not the collector's layout, or cut short.
[[nodiscard]] Results read_results(const std::filesystem::path& path);

}  // namespace mas::sims
