#pragma once
// Profile: a daily time series read from a two-column CSV file, for simulators that replay
// measured or made-up data (household load, irradiance).

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mas::sims {

/// A daily profile: rows `minute,value` where minute is the minute of the day (0..1439) at which
/// the value starts to hold. Each value holds until the next row's minute, the last one until
/// midnight, and the day repeats: the profile wraps around, so a simulation may run for days.
class Profile {
public:
    static constexpr int minutes_per_day = 1440;

    /// Reads the CSV file at `path`; see parse(). Throws mas::ConfigError "profile '<path>': ..."
    /// if the file is missing or unreadable.
    static Profile load(const std::filesystem::path& path, std::string_view column, double min_value);

    /// Parses CSV text whose header is exactly `minute,<column>` followed by data rows
    /// `<integer minute>,<number>`; the first row is minute 0, minutes increase strictly and stay
    /// below 1440, values are finite and >= min_value. Blank lines are skipped; CRLF line ends and
    /// a UTF-8 byte order mark are accepted. Throws mas::ConfigError "<source>:<line>: <problem>"
    /// for the first malformed line, and "<source>: ..." for a missing header or no data rows.
    static Profile parse(std::istream& in, const std::string& source, std::string_view column, double min_value);

    /// The value that holds `seconds` after the start of the first day (wrapping daily).
    [[nodiscard]] double at(double seconds) const;

    /// The rows as read: (minute, value).
    [[nodiscard]] const std::vector<std::pair<int, double>>& rows() const noexcept { return rows_; }

private:
    explicit Profile(std::vector<std::pair<int, double>> rows) : rows_(std::move(rows)) {}
    std::vector<std::pair<int, double>> rows_;
};

}  // namespace mas::sims
