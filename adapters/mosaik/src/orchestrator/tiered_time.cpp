#include "mas/mosaik/orchestrator/tiered_time.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {
namespace {

// A time plus a delay that does not fit is a time after any run's end, not a wrap into the past:
// a time shift of 2^63 - 1 is valid in a scenario (Python's ints have no limit).
std::int64_t plus(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t sum = 0;
    if (!__builtin_add_overflow(a, b, &sum)) return sum;
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

}  // namespace

Tiers Tiers::zeros(std::size_t size) {
    Tiers out;
    for (std::size_t i = 0; i < size; ++i) out.push_back(0);
    return out;
}

void Tiers::push_back(std::int64_t value) {
    if (size_ == capacity) {
        throw ConfigError(fmt::format("simulators may be nested in at most {} groups", capacity - 1));
    }
    values_[size_++] = value;
}

TieredInterval::TieredInterval(Tiers tiers, std::size_t cutoff, std::size_t pre_length)
    : tiers_(tiers),
      cutoff_(cutoff == 0 ? tiers_.size() : cutoff),
      pre_length_(pre_length == 0 ? cutoff_ : pre_length) {
    if (cutoff_ < 1 || cutoff_ > pre_length_ || cutoff_ > tiers_.size()) {
        throw Error(fmt::format("TieredInterval: cutoff {} must be between 1 and both pre_length {} and the {} tiers",
                                cutoff_, pre_length_, tiers_.size()));
    }
}

TieredInterval operator+(const TieredInterval& a, const TieredInterval& b) {
    if (b.pre_length() != a.size()) {
        throw Error(fmt::format("cannot chain interval {} (length {}) with {} (from length {})", a.to_string(),
                                a.size(), b.to_string(), b.pre_length()));
    }
    const auto& x = a.tiers();
    const auto& y = b.tiers();
    Tiers tiers;
    const auto common = std::min(a.cutoff(), b.cutoff());
    for (std::size_t i = 0; i < common; ++i) tiers.push_back(plus(x[i], y[i]));
    if (a.cutoff() < b.cutoff()) {
        // b adds at levels where a had replaced: a's replacement plus b's addition there.
        for (std::size_t i = a.cutoff(); i < b.cutoff(); ++i) tiers.push_back(plus(x[i], y[i]));
    }
    for (std::size_t i = b.cutoff(); i < y.size(); ++i) tiers.push_back(y[i]);
    return TieredInterval(tiers, common, a.pre_length());
}

bool operator<(const TieredInterval& a, const TieredInterval& b) {
    if (a.size() != b.size() || a.pre_length() != b.pre_length()) {
        throw Error(fmt::format("cannot compare intervals {} and {} of different shapes", a.to_string(),
                                b.to_string()));
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto s = a.tiers()[i];
        const auto o = b.tiers()[i];
        if (s == o) continue;
        const bool mixed = (b.cutoff() <= i && i < a.cutoff()) || (a.cutoff() <= i && i < b.cutoff());
        if (mixed) throw Error(fmt::format("intervals {} and {} are incomparable", a.to_string(), b.to_string()));
        return s < o;
    }
    return false;
}

std::string TieredInterval::to_string() const {
    const auto cut = static_cast<std::ptrdiff_t>(cutoff_);
    return fmt::format("{}|{}({})", fmt::join(tiers_.begin(), tiers_.begin() + cut, ":"),
                       fmt::join(tiers_.begin() + cut, tiers_.end(), ":"), pre_length_);
}

TieredTime TieredTime::at(std::int64_t t, std::size_t depth) {
    if (depth == 0) throw Error("a time needs at least one tier");
    auto tiers = Tiers::zeros(depth);
    tiers[0] = t;
    return TieredTime(tiers);
}

TieredTime operator+(const TieredTime& t, const TieredInterval& delay) {
    if (delay.pre_length() != t.size()) {
        throw Error(fmt::format("cannot move time {} (depth {}) along interval {} (from depth {})", t.to_string(),
                                t.size(), delay.to_string(), delay.pre_length()));
    }
    Tiers tiers;
    for (std::size_t i = 0; i < delay.cutoff(); ++i) tiers.push_back(plus(t.tiers()[i], delay.tiers()[i]));
    for (std::size_t i = delay.cutoff(); i < delay.size(); ++i) tiers.push_back(delay.tiers()[i]);
    return TieredTime(tiers);
}

std::strong_ordering operator<=>(const TieredTime& a, const TieredTime& b) {
    if (a.size() != b.size()) {
        throw Error(fmt::format("cannot compare times {} and {} of different depths", a.to_string(), b.to_string()));
    }
    return a.tiers() <=> b.tiers();
}

std::string TieredTime::to_string() const { return fmt::format("{}", fmt::join(tiers_.begin(), tiers_.end(), ":")); }

TieredInterval connect_interval(const GroupPath& src, const GroupPath& dest, std::int64_t time_shifted, bool weak) {
    std::size_t common = 0;  // depth of the closest common group below the top
    while (common < src.size() && common < dest.size() && src[common] == dest[common]) ++common;
    const std::size_t src_depth = src.size() + 1;
    const std::size_t dest_depth = dest.size() + 1;
    const std::size_t ascent = src.size() - common;
    const std::size_t cutoff = src_depth - ascent;
    if (weak && common == 0) {
        throw ConfigError("weak connections may only be used between simulators in a common group (as in mosaik 3.3)");
    }
    auto tiers = Tiers::zeros(dest_depth);
    tiers[0] = time_shifted;
    if (weak) tiers[cutoff - 1] = 1;
    return TieredInterval(tiers, cutoff, src_depth);
}

}  // namespace mas::mosaik
