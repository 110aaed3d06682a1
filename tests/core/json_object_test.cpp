// JsonObject against a plain linear reference: whatever the size, with or without its hash index,
// it must find, order and encode keys as a Python dict does.
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "mas/core/json.hpp"
#include "mas/core/json_codec.hpp"

using mas::Json;
using mas::JsonObject;

namespace {

// The semantics JsonObject had before it had an index: a vector searched front to back.
class LinearObject {
public:
    [[nodiscard]] std::optional<std::size_t> position(const std::string& key) const {
        for (std::size_t i = 0; i < items_.size(); ++i) {
            if (items_[i].first == key) return i;
        }
        return std::nullopt;
    }
    void insert_or_assign(const std::string& key, Json value) {
        if (const auto pos = position(key)) {
            items_[*pos].second = std::move(value);
        } else {
            items_.emplace_back(key, std::move(value));
        }
    }
    void push_back(const std::string& key, Json value) { items_.emplace_back(key, std::move(value)); }
    Json& subscript(const std::string& key) {
        if (const auto pos = position(key)) return items_[*pos].second;
        return items_.emplace_back(key, Json()).second;
    }
    bool erase(const std::string& key) {
        const auto pos = position(key);
        if (!pos) return false;
        items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(*pos));
        return true;
    }
    [[nodiscard]] const std::vector<std::pair<std::string, Json>>& items() const { return items_; }

    // What Python's json.dumps writes for the object (keys and values need no escaping here).
    [[nodiscard]] std::string dumps() const {
        std::string out = "{";
        for (std::size_t i = 0; i < items_.size(); ++i) {
            if (i > 0) out += ", ";
            const auto& value = items_[i].second;
            out += "\"" + items_[i].first + "\": " + (value.is_null() ? "null" : std::to_string(value.get<std::int64_t>()));
        }
        return out + "}";
    }

private:
    std::vector<std::pair<std::string, Json>> items_;
};

class RandomOps {
public:
    explicit RandomOps(std::uint32_t seed) : random_(seed) {}

    // Keys from a pool twice the target size, so that about half the lookups hit; some keys share
    // a long prefix, some are short, as entity ids and attribute names are.
    std::string key(std::size_t target) {
        const auto n = std::uniform_int_distribution<std::size_t>(0, 2 * target + 1)(random_);
        return n % 3 == 0 ? "Model_" + std::to_string(n) : "k" + std::to_string(n);
    }
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
    std::int64_t value() { return std::uniform_int_distribution<std::int64_t>(-1000, 1000)(random_); }

private:
    std::mt19937 random_;
};

void check_same(const JsonObject& object, const LinearObject& reference, RandomOps& random, std::size_t target) {
    REQUIRE(object.size() == reference.items().size());
    std::size_t i = 0;
    for (const auto& [key, value] : object) {
        REQUIRE(key == reference.items()[i].first);
        REQUIRE(value == reference.items()[i].second);
        ++i;
    }
    for (const auto& [key, value] : reference.items()) {
        const Json* found = object.find(key);
        REQUIRE(found);
        // With a duplicate key (push_back), both find the first.
        REQUIRE(*found == reference.items()[*reference.position(key)].second);
    }
    for (int probe = 0; probe < 20; ++probe) {
        const auto key = random.key(target);
        REQUIRE(object.contains(key) == reference.position(key).has_value());
    }
    const mas::JsonCodec codec;
    REQUIRE(codec.encode(Json(object)) == reference.dumps());
}

// One random operation on both. While shrinking, most operations erase a key that is there.
void apply(JsonObject& object, LinearObject& reference, RandomOps& random, std::size_t target, bool growing) {
    if (!growing && !reference.items().empty() && random.pick(10) < 7) {
        const auto& items = reference.items();
        const auto key = items[static_cast<std::size_t>(random.pick(static_cast<int>(items.size())))].first;
        REQUIRE(object.erase(key));
        REQUIRE(reference.erase(key));
        return;
    }
    const auto key = random.key(target);
    switch (random.pick(5)) {
    case 0: {
        const auto v = random.value();
        object.insert_or_assign(key, v);
        reference.insert_or_assign(key, v);
        break;
    }
    case 1: {
        const auto v = random.value();
        object[key] = v;
        reference.subscript(key) = v;
        break;
    }
    case 2:
        (void)object[key];  // inserts null if missing
        (void)reference.subscript(key);
        break;
    case 3:
        // push_back of a key that may already be there: the duplicate is kept in order.
        object.push_back(key, 7);
        reference.push_back(key, 7);
        break;
    case 4: REQUIRE(object.erase(key) == reference.erase(key)); break;
    }
}

}  // namespace

TEST_CASE("JsonObject finds, orders and encodes keys like a linear dict at every size, with its index and without",
          "[core][json]") {
    // Sizes around the switch to the index and far beyond it.
    const auto target = GENERATE(std::size_t{4}, JsonObject::indexed_from - 1, JsonObject::indexed_from,
                                 JsonObject::indexed_from + 1, std::size_t{40}, std::size_t{3000});
    RandomOps random(static_cast<std::uint32_t>(20261206 + target));
    JsonObject object;
    LinearObject reference;
    const std::size_t steps = 6 * target + 60;
    const std::size_t check_every = target > 100 ? target / 4 : 1;
    for (std::size_t step = 0; step < steps; ++step) {
        // Grow past the target, shrink back below it (through the switch-over), grow again.
        const bool growing = (step / (2 * target + 10)) % 2 == 0;
        apply(object, reference, random, target, growing);
        if (step % check_every == 0) check_same(object, reference, random, target);
    }
    check_same(object, reference, random, target);

    // A copy has its own index: changing one leaves the other as it was.
    JsonObject copy = object;
    copy.insert_or_assign("only-in-copy", 1);
    CHECK(copy.contains("only-in-copy"));
    CHECK_FALSE(object.contains("only-in-copy"));
    check_same(object, reference, random, target);
}

TEST_CASE("Decoding a large object with repeated keys keeps each key's first place and last value", "[core][json]") {
    const auto count = GENERATE(std::size_t{10}, std::size_t{5000});
    RandomOps random(7);
    LinearObject reference;
    std::string text = "{";
    for (std::size_t i = 0; i < count; ++i) {
        const auto key = random.key(count / 2);  // many repeats
        const auto value = random.value();
        if (i > 0) text += ", ";
        text += "\"" + key + "\": " + std::to_string(value);
        reference.insert_or_assign(key, value);
    }
    text += "}";
    const mas::JsonCodec codec;
    const Json decoded = codec.decode(text);
    check_same(decoded.as_object(), reference, random, count / 2);
}

TEST_CASE("Updating with many keys at once gives what inserting them one by one gives", "[core][json]") {
    // Objects below and above the index's start, batches below and above the size from which
    // the index is filled in bulk; keys repeat within a batch and with the object's own.
    const auto start = GENERATE(std::size_t{0}, std::size_t{5}, std::size_t{20}, std::size_t{3000});
    const auto batch = GENERATE(std::size_t{1}, std::size_t{15}, std::size_t{2047}, std::size_t{2048}, std::size_t{5000});
    RandomOps random(static_cast<std::uint32_t>(start * 7919 + batch));
    JsonObject updated;
    JsonObject inserted;
    for (std::size_t i = 0; i < start; ++i) {
        const auto key = random.key(start);
        const auto value = random.value();
        updated.insert_or_assign(key, value);
        inserted.insert_or_assign(key, value);
    }
    std::vector<std::string> keys;
    std::vector<Json> values;
    for (std::size_t i = 0; i < batch; ++i) {
        keys.push_back(random.key((start + batch) / 2));
        values.emplace_back(random.value());
        inserted.insert_or_assign(keys.back(), values.back());
    }
    updated.update(keys, values);
    REQUIRE(updated.size() == inserted.size());
    auto expected = inserted.begin();
    for (const auto& [key, value] : updated) {
        REQUIRE(key == expected->first);
        REQUIRE(value == expected->second);
        REQUIRE(updated.find(key) == &value);  // each key found at its one place
        ++expected;
    }
    const mas::JsonCodec codec;
    CHECK(codec.encode(Json(updated)) == codec.encode(Json(inserted)));
    CHECK_FALSE(updated.contains("not-a-key"));

    std::vector<std::string> one_key{"k"};
    CHECK_THROWS_AS(updated.update(one_key, std::span<Json>()), mas::Error);
}
