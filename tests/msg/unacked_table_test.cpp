#include "msg/unacked_table.hpp"

#include <string>

#include <catch2/catch.hpp>

using mas::msg::MsgId;
using mas::msg::detail::UnackedTable;

TEST_CASE("UnackedTable finds and removes entries by id, in order or not, and ignores ids that are not its own",
          "[msg]") {
    UnackedTable<std::string> table(0x1122334455667788ULL);
    for (std::uint64_t counter = 10; counter < 20; ++counter) table.insert(counter, std::to_string(counter));
    CHECK(table.size() == 10);

    const auto id = table.id_of(12);
    REQUIRE(table.find(id));
    CHECK(*table.find(id) == "12");
    // The counter is big-endian in the last 8 bytes, after the prefix.
    CHECK(id[15] == 12);
    CHECK(id[8] == 0);

    CHECK(table.erase(table.id_of(12)));
    CHECK_FALSE(table.erase(table.id_of(12)));
    CHECK_FALSE(table.find(table.id_of(12)));
    CHECK(table.erase(table.id_of(10)));  // the front
    CHECK(table.erase(table.id_of(11)));
    CHECK(table.size() == 7);
    CHECK(*table.find(table.id_of(13)) == "13");
    CHECK(*table.find(table.id_of(19)) == "19");
    CHECK_FALSE(table.find(table.id_of(20)));
    CHECK_FALSE(table.find(table.id_of(9)));

    // Another socket's id with the same counter is not ours.
    MsgId foreign = table.id_of(13);
    foreign[0] ^= 0xff;
    CHECK_FALSE(table.find(foreign));
    CHECK_FALSE(table.erase(foreign));

    for (std::uint64_t counter = 13; counter < 20; ++counter) CHECK(table.erase(table.id_of(counter)));
    CHECK(table.empty());
    table.insert(20, "20");
    CHECK(*table.find(table.id_of(20)) == "20");
}

TEST_CASE("UnackedTable keeps a message that stays unacknowledged while many later ones come and go", "[msg]") {
    using Table = UnackedTable<std::string>;
    Table table(42);
    table.insert(0, "stuck");
    const auto later = Table::max_span * 2;
    std::size_t erased = 0;
    for (std::uint64_t counter = 1; counter <= later; ++counter) {
        table.insert(counter, "x");
        if (counter > 100 && table.erase(table.id_of(counter - 100))) ++erased;
    }
    CHECK(erased == later - 100);
    CHECK(table.size() == 1 + 100);
    REQUIRE(table.find(table.id_of(0)));
    CHECK(*table.find(table.id_of(0)) == "stuck");
    CHECK(table.erase(table.id_of(0)));
    CHECK_FALSE(table.find(table.id_of(0)));
    for (std::uint64_t counter = later - 99; counter <= later; ++counter) CHECK(table.erase(table.id_of(counter)));
    CHECK(table.empty());
}
