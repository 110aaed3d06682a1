// What loading a scenario file costs in memory, counted by this executable's own operator new:
// a large file must not take many times its size before it is read or refused.
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include <catch2/catch.hpp>

#include "mas/mosaik/orchestrator/scenario.hpp"
#include "mas/mosaik/orchestrator/scenario_error.hpp"
#include "orchestrator/located_json.hpp"

namespace {

std::atomic<std::size_t> live{0};
std::atomic<std::size_t> peak{0};

void* counted(std::size_t size, std::size_t alignment = 0) {
    void* p = alignment > alignof(std::max_align_t) ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
                                                    : std::malloc(size == 0 ? 1 : size);
    if (!p) throw std::bad_alloc();
    const auto now = live += malloc_usable_size(p);
    auto high = peak.load();
    while (now > high && !peak.compare_exchange_weak(high, now)) {
    }
    return p;
}

void uncounted(void* p) noexcept {
    if (!p) return;
    live -= malloc_usable_size(p);
    std::free(p);
}

}  // namespace

void* operator new(std::size_t size) { return counted(size); }
void* operator new[](std::size_t size) { return counted(size); }
void* operator new(std::size_t size, std::align_val_t a) { return counted(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return counted(size, static_cast<std::size_t>(a)); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return counted(size);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { uncounted(p); }
void operator delete[](void* p) noexcept { uncounted(p); }
void operator delete(void* p, std::size_t) noexcept { uncounted(p); }
void operator delete[](void* p, std::size_t) noexcept { uncounted(p); }
void operator delete(void* p, std::align_val_t) noexcept { uncounted(p); }
void operator delete[](void* p, std::align_val_t) noexcept { uncounted(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { uncounted(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { uncounted(p); }

namespace {

// The most memory parsing `text` takes at once, beyond what was in use before.
std::size_t peak_while_parsing(const std::string& text, std::string& error) {
    const auto before = live.load();
    peak = before;
    try {
        (void)mas::mosaik::Scenario::parse(text, "big.json");
        error = "no error";
    } catch (const mas::mosaik::ScenarioError& e) {
        error = e.what();
    }
    return peak.load() - before;
}

}  // namespace

TEST_CASE("A scenario with a large array costs a bounded multiple of its size to load", "[mosaik]") {
    // 4 MB of one-digit numbers: the worst case per byte, a Json value per two bytes of file.
    std::string numbers;
    numbers.reserve(4 << 20);
    while (numbers.size() < (4 << 20)) numbers += "1,";
    numbers += "1";
    std::string error;
    SECTION("refused, as a description must be text") {
        const std::string text = R"({"description": [)" + numbers + R"(], "sim_config": {}, "sims": [], "until": 1})";
        const auto used = peak_while_parsing(text, error);
        CHECK(error == "big.json:1:17: description: expected a string, got array of 2097153 elements");
        // It took 362 MB (90 times the file) before it was refused. Now about 47: two bytes of
        // file become a 40-byte value, staged while its array is open, and 12 bytes of position.
        CHECK(used < 56 * text.size());
    }
    SECTION("taken, as a simulator's params") {
        const std::string text =
            R"({"sim_config": {"A": {"cpp": "a"}}, "sims": [{"name": "A", "params": {"p": [)" + numbers + "]}}], \"until\": 1}";
        const auto used = peak_while_parsing(text, error);
        CHECK(error == "no error");
        CHECK(used < 56 * text.size());
    }
}

TEST_CASE("A scenario text over the size limit is refused before it is parsed", "[mosaik]") {
    const std::string text(mas::mosaik::LocatedJson::max_size + 1, ' ');
    std::string error;
    const auto used = peak_while_parsing(text, error);
    CHECK_THAT(error, Catch::Contains("a scenario file may have at most 256 MiB"));
    CHECK(used < (1 << 20));
}
