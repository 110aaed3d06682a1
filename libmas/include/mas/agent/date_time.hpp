#pragma once
/// \file
/// DateTime: an instant with the UTC offset it is shown in; libmas' counterpart of an Arrow date.

#include <chrono>
#include <compare>
#include <iosfwd>
#include <string>
#include <string_view>

#include <date/date.h>

#include "mas/core/json.hpp"

namespace mas::agent {

/// An instant (microsecond precision) and the UTC offset it is shown in, like aiomas' Arrow
/// dates. Comparison, equality and differences use the instant only, as Python's aware datetimes
/// do: `2016-01-01T01:00:00+01:00 == 2016-01-01T00:00:00+00:00`. The offset only changes how
/// to_string() prints it. A plain value type; every operation is thread-safe on distinct objects.
class DateTime {
public:
    /// The instant, in UTC, with microsecond precision.
    using TimePoint = date::sys_time<std::chrono::microseconds>;

    /// The Unix epoch, 1970-01-01T00:00:00+00:00.
    DateTime() noexcept {}

    /// The instant `utc`, shown at UTC offset `offset`.
    /// Throws mas::Error unless -24 h < `offset` < 24 h (Python's limit).
    explicit DateTime(TimePoint utc, std::chrono::minutes offset = std::chrono::minutes(0));

    /// Converts any system-clock time point, rounding to the nearest microsecond (ties to even,
    /// as Python's timedelta does). Throws mas::Error for an invalid `offset`, as above.
    template <class Duration>
    explicit DateTime(date::sys_time<Duration> utc, std::chrono::minutes offset = std::chrono::minutes(0))
        : DateTime(std::chrono::round<std::chrono::microseconds>(utc), offset) {}

    /// Parses the ISO-8601 forms that `arrow.get(text)` accepts and aiomas peers send:
    /// `YYYY-MM-DD`, optionally followed by `T` or one space and `HH`, `HH:MM`, `HH:MM:SS` or
    /// `HH:MM:SS.f` (any number of fraction digits, `.` or `,`; rounded to microseconds half to
    /// even like arrow), then optionally an offset `Z`, `±HH`, `±HHMM` or `±HH:MM`. Without an
    /// offset the time is UTC. `24:00[:00[.0]]` is midnight at the end of the day.
    /// Throws mas::TypeError, naming the text and what is wrong with it, for anything else
    /// (other layouts, out-of-range fields such as February 30, year 0, trailing characters).
    [[nodiscard]] static DateTime parse(std::string_view text);

    /// Python's `str(arrow)` / `isoformat()`: `2016-01-01T00:00:00+00:00`, the local time at
    /// this offset, with `.ffffff` (always six digits) only when the microseconds are non-zero.
    /// parse(to_string()) gives back the same instant and offset.
    [[nodiscard]] std::string to_string() const;

    /// The instant in UTC.
    [[nodiscard]] TimePoint utc() const noexcept { return utc_; }
    /// The offset from UTC this date is shown in (local time = utc() + utc_offset()).
    [[nodiscard]] std::chrono::minutes utc_offset() const noexcept { return offset_; }
    /// The same instant shown at another offset (arrow's `.to(tz)` for a fixed offset).
    /// Throws mas::Error for an invalid offset, as the constructor does.
    [[nodiscard]] DateTime to_offset(std::chrono::minutes offset) const { return DateTime(utc_, offset); }

    /// The date `seconds` later (earlier if negative), rounded to the nearest microsecond (ties
    /// to even), keeping the offset: arrow's `shift(seconds=...)`. Throws mas::Error if
    /// `seconds` is not finite or the result leaves the range of TimePoint.
    [[nodiscard]] DateTime shift_seconds(double seconds) const;

    /// The date `d` later, keeping the offset; `d` is rounded to microseconds (ties to even).
    template <class Rep, class Period>
    friend DateTime operator+(const DateTime& a, std::chrono::duration<Rep, Period> d) {
        return DateTime(a.utc_ + std::chrono::round<std::chrono::microseconds>(d), a.offset_);
    }
    /// The date `d` earlier, keeping the offset; `d` is rounded to microseconds (ties to even).
    template <class Rep, class Period>
    friend DateTime operator-(const DateTime& a, std::chrono::duration<Rep, Period> d) {
        return DateTime(a.utc_ - std::chrono::round<std::chrono::microseconds>(d), a.offset_);
    }
    /// The time from `b` to `a` (negative if `a` is earlier).
    friend std::chrono::microseconds operator-(const DateTime& a, const DateTime& b) noexcept {
        return a.utc_ - b.utc_;
    }

    /// Equal when the instants are equal, whatever the offsets.
    friend bool operator==(const DateTime& a, const DateTime& b) noexcept { return a.utc_ == b.utc_; }
    /// Orders by instant.
    friend std::strong_ordering operator<=>(const DateTime& a, const DateTime& b) noexcept {
        return a.utc_ <=> b.utc_;
    }

    /// Writes to_string() (for logs and test failure messages).
    friend std::ostream& operator<<(std::ostream& out, const DateTime& d);

private:
    TimePoint utc_{};
    std::chrono::minutes offset_{0};
};

}  // namespace mas::agent

/// DateTime travels as aiomas' Arrow dates do (aiomas' `arrow_serializer`): a custom type whose
/// repr is the to_string() text, e.g. `{"__type__": [0, "2016-01-01T00:00:00+00:00"]}` once a
/// codec has it: `codec.add_serializer<mas::agent::DateTime>()`.
template <>
struct mas::Serializer<mas::agent::DateTime> {
    /// The registration name, after Python's class `arrow.Arrow`.
    static constexpr std::string_view name = "arrow.Arrow";
    /// The repr: the ISO-8601 text of to_string().
    static Json to_json(const agent::DateTime& d) { return Json(d.to_string()); }
    /// Parses the repr with DateTime::parse. Throws mas::TypeError if it is not a string or not a
    /// date arrow would accept.
    static agent::DateTime from_json(const Json& j) { return agent::DateTime::parse(j.as_string()); }
};
