// The collector's results files read back (results_reader.hpp), as mas-run's report reads them:
// CSV and HDF5 of the same records give the same tables; bad files give one clear error.
#include "results_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "collector.hpp"
#include "hdf5_writer.hpp"
#include "mas/core/error.hpp"
#include "mas/core/json.hpp"
#include "record_table.hpp"
#include "support/test_pki.hpp"

using namespace mas;

namespace {

// Two sources, numbers with gaps, booleans, nulls, a text attribute and names CSV must quote.
sims::RecordTable mixed_records() {
    sims::RecordTable records;
    records.begin_step(0, false);
    records.add("Sim-0.A_0", "p", Json(1.5));
    records.add("Sim-0.A_1", "p", Json(std::int64_t{2}));
    records.add("Sim-0.A_0", "on", Json(true));
    records.add("Sim-0.A_0", "note", Json("say \"hi\", then go"));
    records.begin_step(5, false);
    records.add("Sim-0.A_1", "p", Json(-0.25));
    records.add("Sim-0.A_0", "on", Json(false));
    records.add("Sim-0.A_1", "on", Json());
    records.add("Sim-0.\"odd, name\"", "p", Json(1e-7));
    records.begin_step(7, false);
    records.add("Sim-0.A_0", "a/b%c", Json(3.0));
    return records;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void require_equal(const sims::Results& a, const sims::Results& b) {
    REQUIRE(a.times == b.times);
    REQUIRE(a.attributes.size() == b.attributes.size());
    for (std::size_t i = 0; i < a.attributes.size(); ++i) {
        const auto& x = a.attributes[i];
        const auto& y = b.attributes[i];
        CAPTURE(x.name);
        REQUIRE(x.name == y.name);
        REQUIRE(x.entities == y.entities);
        REQUIRE(x.text == y.text);
        REQUIRE(x.values.size() == y.values.size());
        for (std::size_t k = 0; k < x.values.size(); ++k) REQUIRE(same(x.values[k], y.values[k]));
    }
}

}  // namespace

TEST_CASE("A collector's CSV and HDF5 files of the same records read back as the same tables", "[mosaik]") {
    test::TempDir dir;
    const auto records = mixed_records();
    {
        std::ofstream out(dir.path() / "r.csv");
        sims::write_csv(out, records);
    }
    sims::write_hdf5(records, (dir.path() / "r.h5").string());
    const auto csv = sims::read_results(dir.path() / "r.csv");
    const auto hdf5 = sims::read_results(dir.path() / "r.h5");
    require_equal(csv, hdf5);

    REQUIRE(csv.times == std::vector<std::int64_t>{0, 5, 7});
    REQUIRE(csv.attributes.size() == 4);
    const auto& slash = csv.attributes[0];
    REQUIRE(slash.name == "a/b%c");
    REQUIRE(slash.entities == std::vector<std::string>{"Sim-0.A_0"});
    REQUIRE(std::isnan(slash.values[0]));
    REQUIRE(slash.values[2] == 3.0);
    const auto& note = csv.attributes[1];
    REQUIRE(note.name == "note");
    REQUIRE(note.text);
    REQUIRE(note.values.empty());
    const auto& on = csv.attributes[2];
    REQUIRE(on.entities == std::vector<std::string>{"Sim-0.A_0", "Sim-0.A_1"});
    REQUIRE(on.values[0] == 1.0);  // time 0, A_0
    REQUIRE(on.values[2] == 0.0);  // time 5, A_0
    REQUIRE(std::isnan(on.values[3]));  // null
    const auto& p = csv.attributes[3];
    REQUIRE(p.entities == std::vector<std::string>{"Sim-0.\"odd, name\"", "Sim-0.A_0", "Sim-0.A_1"});
    // Rows 0, 5, 7; columns "odd, name", A_0, A_1.
    REQUIRE(std::isnan(p.values[0]));
    REQUIRE(p.values[1] == 1.5);
    REQUIRE(p.values[2] == 2.0);
    REQUIRE(p.values[3] == 1e-7);
    REQUIRE(std::isnan(p.values[4]));
    REQUIRE(p.values[5] == -0.25);
    REQUIRE(std::all_of(p.values.begin() + 6, p.values.end(), [](double v) { return std::isnan(v); }));
}

TEST_CASE("A results file that is missing, cut short or not a collector's is one clear error", "[mosaik]") {
    test::TempDir dir;
    const auto records = mixed_records();
    std::string text;
    {
        std::ostringstream out;
        sims::write_csv(out, records);
        text = out.str();
    }
    const auto write = [&](const std::string& name, const std::string& content) {
        std::ofstream(dir.path() / name, std::ios::binary) << content;
        return dir.path() / name;
    };
    REQUIRE_THROWS_WITH(sims::read_results(dir.path() / "none.csv"), Catch::Contains("none.csv' is missing"));
    REQUIRE_THROWS_WITH(sims::read_results(write("cut.csv", text.substr(0, text.size() - 3))),
                        Catch::Contains("is not a collector CSV: line 10: the line is cut short"));
    REQUIRE_THROWS_WITH(sims::read_results(write("other.csv", "a,b,c\n1,2,3\n")),
                        Catch::Contains("line 1: its first line is not the collector's header"));
    REQUIRE_THROWS_WITH(sims::read_results(write("word.csv", "time,source,attribute,value\n0,S.a,p,abc\n")),
                        Catch::Contains("line 2: the value 'abc' is neither a number"));
    REQUIRE_THROWS_WITH(sims::read_results(write("order.csv", "time,source,attribute,value\n5,S.a,p,1\n0,S.a,p,2\n")),
                        Catch::Contains("line 3: the times are not in order"));
    sims::write_hdf5(records, (dir.path() / "whole.h5").string());
    std::ifstream in(dir.path() / "whole.h5", std::ios::binary);
    const std::string h5((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE_THROWS_WITH(sims::read_results(write("cut.h5", h5.substr(0, h5.size() / 2))),
                        Catch::Contains("cut.h5' is not a collector HDF5 file"));
}
