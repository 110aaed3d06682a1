#include "profile.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::sims {
namespace {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

template <class T>
std::optional<T> parse_number(std::string_view text) {
    T value{};
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

/// Reads one data row; `where` is "<source>:<line>".
std::pair<int, double> parse_row(std::string_view line, const std::string& where, std::string_view column,
                                 double min_value) {
    const auto comma = line.find(',');
    if (comma == std::string_view::npos || line.find(',', comma + 1) != std::string_view::npos) {
        throw ConfigError(fmt::format("{}: expected 2 fields 'minute,{}', got '{}'", where, column, line));
    }
    const auto minute_text = trim(line.substr(0, comma));
    const auto value_text = trim(line.substr(comma + 1));
    const auto minute = parse_number<int>(minute_text);
    if (!minute) throw ConfigError(fmt::format("{}: minute must be an integer, got '{}'", where, minute_text));
    if (*minute < 0 || *minute >= Profile::minutes_per_day) {
        throw ConfigError(fmt::format("{}: minute must be in 0..1439, got {}", where, *minute));
    }
    const auto value = parse_number<double>(value_text);
    if (!value || !std::isfinite(*value)) {
        throw ConfigError(fmt::format("{}: {} must be a finite number, got '{}'", where, column, value_text));
    }
    if (*value < min_value) {
        throw ConfigError(fmt::format("{}: {} must be >= {}, got {}", where, column, min_value, value_text));
    }
    return {*minute, *value};
}

}  // namespace

Profile Profile::load(const std::filesystem::path& path, std::string_view column, double min_value) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (status.type() == std::filesystem::file_type::not_found) {
        throw ConfigError(fmt::format("profile '{}': cannot read: no such file", path.string()));
    }
    if (ec) throw ConfigError(fmt::format("profile '{}': cannot read: {}", path.string(), ec.message()));
    if (status.type() != std::filesystem::file_type::regular) {
        throw ConfigError(fmt::format("profile '{}': cannot read: not a regular file", path.string()));
    }
    errno = 0;
    std::ifstream in(path);
    if (!in) {
        const auto reason = errno != 0 ? std::strerror(errno) : "cannot open";
        throw ConfigError(fmt::format("profile '{}': cannot read: {}", path.string(), reason));
    }
    return parse(in, path.string(), column, min_value);
}

Profile Profile::parse(std::istream& in, const std::string& source, std::string_view column, double min_value) {
    const auto header = fmt::format("minute,{}", column);
    std::vector<std::pair<int, double>> rows;
    bool seen_header = false;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        std::string_view text = line;
        if (number == 1 && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
        text = trim(text);
        if (text.empty()) continue;
        const auto where = fmt::format("{}:{}", source, number);
        if (!seen_header) {
            if (text != header) {
                throw ConfigError(fmt::format("{}: expected the header '{}', got '{}'", where, header, text));
            }
            seen_header = true;
            continue;
        }
        auto row = parse_row(text, where, column, min_value);
        if (rows.empty() && row.first != 0) {
            throw ConfigError(fmt::format("{}: the first row must be minute 0, got {}", where, row.first));
        }
        if (!rows.empty() && row.first <= rows.back().first) {
            throw ConfigError(fmt::format("{}: minute {} does not come after the previous minute {}", where, row.first,
                                          rows.back().first));
        }
        rows.push_back(row);
    }
    if (in.bad()) throw ConfigError(fmt::format("{}: read error", source));
    if (!seen_header) throw ConfigError(fmt::format("{}: empty file, expected the header '{}'", source, header));
    if (rows.empty()) throw ConfigError(fmt::format("{}: no data rows after the header", source));
    return Profile(std::move(rows));
}

double Profile::at(double seconds) const {
    // Integral minutes of the day; the small tolerance keeps 0.1 s resolutions from landing just
    // below a row's minute through rounding.
    const auto minute_of_day = std::fmod(std::floor(seconds / 60.0 + 1e-9), static_cast<double>(minutes_per_day));
    const auto minute = static_cast<int>(minute_of_day < 0 ? minute_of_day + minutes_per_day : minute_of_day);
    auto it = std::upper_bound(rows_.begin(), rows_.end(), minute,
                               [](int m, const std::pair<int, double>& row) { return m < row.first; });
    return std::prev(it)->second;
}

}  // namespace mas::sims
