#pragma once
/// \file
/// TieredTime and TieredInterval: mosaik's times with sub-steps for simulators in groups, and the
/// delays of connections between them (mosaik's tiered_time.py).

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace mas::mosaik {

/// The tiers of a time or an interval, kept inline: the scheduler copies and compares times at
/// every step, and one tier per group level is a handful. Simulators may be nested in at most
/// `capacity - 1` groups.
class Tiers {
public:
    static constexpr std::size_t capacity = 8;

    Tiers() = default;
    /// Throws mas::ConfigError for more than `capacity` values.
    Tiers(std::initializer_list<std::int64_t> values) { append(values.begin(), values.end()); }
    explicit Tiers(const std::vector<std::int64_t>& values) { append(values.begin(), values.end()); }
    /// `size` zeros.
    static Tiers zeros(std::size_t size);

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::int64_t operator[](std::size_t i) const noexcept { return values_[i]; }
    std::int64_t& operator[](std::size_t i) noexcept { return values_[i]; }
    [[nodiscard]] const std::int64_t* begin() const noexcept { return values_.data(); }
    [[nodiscard]] const std::int64_t* end() const noexcept { return values_.data() + size_; }
    /// Throws mas::ConfigError when full.
    void push_back(std::int64_t value);

    // Unused places stay zero, so all of them can be compared.
    friend bool operator==(const Tiers& a, const Tiers& b) = default;
    friend std::strong_ordering operator<=>(const Tiers& a, const Tiers& b) {
        return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    template <class It>
    void append(It first, It last) {
        for (; first != last; ++first) push_back(*first);
    }

    std::array<std::int64_t, capacity> values_{};
    std::size_t size_ = 0;
};

/// A delay along a connection, from a simulator of depth pre_length() to one of depth size().
/// The first cutoff() tiers are added to a time; the rest (the extension) replace the time's
/// deeper tiers. An ungrouped connection is one tier: the time shift.
class TieredInterval {
public:
    /// Throws mas::Error unless 1 <= cutoff <= pre_length and cutoff <= tiers.size(). Without
    /// cutoff it is tiers.size(), without pre_length it is cutoff.
    explicit TieredInterval(Tiers tiers, std::size_t cutoff = 0, std::size_t pre_length = 0);

    [[nodiscard]] const Tiers& tiers() const noexcept { return tiers_; }
    [[nodiscard]] std::size_t cutoff() const noexcept { return cutoff_; }
    [[nodiscard]] std::size_t pre_length() const noexcept { return pre_length_; }
    [[nodiscard]] std::size_t size() const noexcept { return tiers_.size(); }

    /// The delay of going along `a` and then along `b` (b.pre_length() must be a.size()).
    friend TieredInterval operator+(const TieredInterval& a, const TieredInterval& b);
    /// Orders intervals of the same shape; throws mas::Error for incomparable ones (one adds
    /// where the other replaces and they differ there).
    friend bool operator<(const TieredInterval& a, const TieredInterval& b);
    friend bool operator==(const TieredInterval& a, const TieredInterval& b) = default;

    /// e.g. "1:0|2(2)": added tiers, replaced tiers, pre_length.
    [[nodiscard]] std::string to_string() const;

private:
    Tiers tiers_;
    std::size_t cutoff_;
    std::size_t pre_length_;
};

/// A point in time of a simulator at group depth size(): the world time and one sub-step
/// counter per group level, ordered lexicographically.
class TieredTime {
public:
    TieredTime() = default;
    explicit TieredTime(Tiers tiers) : tiers_(tiers) {}
    /// The world time `t` at depth `depth`: (t, 0, ..., 0).
    static TieredTime at(std::int64_t t, std::size_t depth);

    [[nodiscard]] std::int64_t time() const noexcept { return tiers_[0]; }
    [[nodiscard]] const Tiers& tiers() const noexcept { return tiers_; }
    [[nodiscard]] std::size_t size() const noexcept { return tiers_.size(); }

    /// This time moved along `delay` (delay.pre_length() must be size()); throws mas::Error
    /// otherwise.
    friend TieredTime operator+(const TieredTime& t, const TieredInterval& delay);
    /// Lexicographic; comparing times of different depth throws mas::Error.
    friend std::strong_ordering operator<=>(const TieredTime& a, const TieredTime& b);
    friend bool operator==(const TieredTime& a, const TieredTime& b) = default;

    /// mosaik's node notation, e.g. "0:1".
    [[nodiscard]] std::string to_string() const;

private:
    Tiers tiers_;
};

/// Where a simulator sits in the group tree: the ids of the nested groups from the top, empty for
/// an ungrouped simulator. Its depth is size() + 1.
using GroupPath = std::vector<std::size_t>;

/// The delay of a connection from a simulator in `src` to one in `dest`, shifted by
/// `time_shifted` steps and, if `weak`, by one sub-step of their closest common group (mosaik's
/// connect_interval). Without either it is the "successor" interval lazy stepping uses.
/// Throws mas::ConfigError for a weak connection whose common group is the top level.
TieredInterval connect_interval(const GroupPath& src, const GroupPath& dest, std::int64_t time_shifted = 0,
                                bool weak = false);

}  // namespace mas::mosaik
