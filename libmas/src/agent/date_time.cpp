#include "mas/agent/date_time.hpp"

#include <cmath>
#include <cstdlib>
#include <ostream>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::agent {

namespace {

using std::chrono::microseconds;
using std::chrono::minutes;

// The fields of an ISO-8601 text, read left to right. Every failure names the text and the
// position, so a bad date in a message can be found.
class IsoReader {
public:
    explicit IsoReader(std::string_view text) : text_(text) {}

    [[noreturn]] void fail(std::string_view why) const {
        throw TypeError(fmt::format("invalid ISO-8601 date \"{}\": {} (at position {})", text_, why, pos_));
    }
    [[nodiscard]] bool at_end() const noexcept { return pos_ == text_.size(); }
    [[nodiscard]] char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
    bool accept(char c) noexcept {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    void expect(char c, std::string_view what) {
        if (!accept(c)) fail(fmt::format("expected '{}' {}", c, what));
    }
    [[nodiscard]] bool digit_next() const noexcept { return peek() >= '0' && peek() <= '9'; }
    // Exactly `count` digits.
    int number(int count, std::string_view what) {
        int value = 0;
        for (int i = 0; i < count; ++i) {
            if (!digit_next()) fail(fmt::format("expected {} digits for the {}", count, what));
            value = value * 10 + (text_[pos_++] - '0');
        }
        return value;
    }
    // One or more digits, as text.
    std::string_view digits(std::string_view what) {
        const auto start = pos_;
        while (digit_next()) ++pos_;
        if (pos_ == start) fail(fmt::format("expected digits for the {}", what));
        return text_.substr(start, pos_ - start);
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

struct TimeFields {
    int hour = 0;
    int minute = 0;
    int second = 0;
    long micro = 0;  // up to 1'000'000 after rounding
};

// arrow keeps six digits and rounds on the seventh only, half to even.
long fraction_to_micros(std::string_view digits) {
    long value = 0;
    for (std::size_t i = 0; i < 6; ++i) value = value * 10 + (i < digits.size() ? digits[i] - '0' : 0);
    const int seventh = digits.size() > 6 ? digits[6] - '0' : 0;
    if (seventh > 5 || (seventh == 5 && value % 2 == 1)) ++value;
    return value;
}

TimeFields read_time(IsoReader& in) {
    TimeFields f;
    f.hour = in.number(2, "hour");
    if (in.accept(':')) {
        f.minute = in.number(2, "minute");
        if (in.accept(':')) {
            f.second = in.number(2, "second");
            if (in.accept('.') || in.accept(',')) f.micro = fraction_to_micros(in.digits("fraction of a second"));
        }
    }
    if (f.hour > 24) in.fail("hour out of range 0..24");
    if (f.minute > 59) in.fail("minute out of range 0..59");
    if (f.second > 59) in.fail("second out of range 0..59");
    if (f.hour == 24 && (f.minute != 0 || f.second != 0 || f.micro != 0)) {
        in.fail("24:00 (end of day) must not have minutes, seconds or fractions");
    }
    return f;
}

// Z, ±HH, ±HHMM or ±HH:MM; none means UTC.
minutes read_offset(IsoReader& in) {
    if (in.at_end() || in.accept('Z')) return minutes(0);
    const char sign = in.peek();
    if (sign != '+' && sign != '-') in.fail("expected an offset (Z, +HH:MM, -HH:MM, +HHMM) or the end");
    in.accept(sign);
    const int hours = in.number(2, "offset hours");
    int mins = 0;
    if (in.accept(':') || in.digit_next()) mins = in.number(2, "offset minutes");
    if (hours > 23 || mins > 59) in.fail("offset out of range (must be within +-23:59)");
    const minutes offset(hours * 60 + mins);
    return sign == '-' ? -offset : offset;
}

}  // namespace

DateTime::DateTime(TimePoint utc, std::chrono::minutes offset) : utc_(utc), offset_(offset) {
    if (std::chrono::abs(offset) >= std::chrono::hours(24)) {
        throw Error(fmt::format("DateTime: UTC offset of {} minutes is not within 24 hours", offset.count()));
    }
}

DateTime DateTime::parse(std::string_view text) {
    IsoReader in(text);
    const int year = in.number(4, "year");
    in.expect('-', "after the year");
    const int month = in.number(2, "month");
    in.expect('-', "after the month");
    const int day = in.number(2, "day");
    const date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                                   date::day(static_cast<unsigned>(day))};
    if (year < 1) in.fail("year 0 does not exist");
    if (!ymd.ok()) in.fail(fmt::format("{:04}-{:02}-{:02} is not a day of the calendar", year, month, day));

    TimeFields time;
    minutes offset(0);
    if (!in.at_end()) {
        if (!in.accept('T') && !in.accept(' ')) in.fail("expected 'T' or ' ' between date and time");
        time = read_time(in);
        offset = read_offset(in);
        if (!in.at_end()) in.fail("unexpected characters after the date");
    }
    const auto local = date::sys_days(ymd) + std::chrono::hours(time.hour) + minutes(time.minute) +
                       std::chrono::seconds(time.second) + microseconds(time.micro);
    return DateTime(local - offset, offset);
}

std::string DateTime::to_string() const {
    const auto local = utc_ + offset_;
    const auto day = std::chrono::floor<date::days>(local);
    const date::year_month_day ymd(day);
    const date::hh_mm_ss<microseconds> tod(local - day);
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                  tod.hours().count(), tod.minutes().count(), tod.seconds().count());
    if (tod.subseconds().count() != 0) out += fmt::format(".{:06}", tod.subseconds().count());
    const auto offset = std::chrono::abs(offset_).count();
    out += fmt::format("{}{:02}:{:02}", offset_.count() < 0 ? '-' : '+', offset / 60, offset % 60);
    return out;
}

DateTime DateTime::shift_seconds(double seconds) const {
    // Beyond this the microsecond count would leave the 64-bit range (about 292'000 years).
    constexpr double limit = 9.0e12;
    if (!std::isfinite(seconds) || std::abs(seconds) > limit) {
        throw Error(fmt::format("DateTime::shift_seconds: cannot shift by {} seconds", seconds));
    }
    return DateTime(utc_ + std::chrono::round<microseconds>(std::chrono::duration<double>(seconds)), offset_);
}

std::ostream& operator<<(std::ostream& out, const DateTime& d) { return out << d.to_string(); }

}  // namespace mas::agent
