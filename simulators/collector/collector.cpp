#include "collector.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/core/log.hpp"
#include "hdf5_writer.hpp"
#include "param_reader.hpp"

namespace mas::sims {
namespace {

constexpr auto owner = "collector";
constexpr auto monitor_eid = "Monitor";

/// The field as CSV writes it: quoted, with inner quotes doubled, when `always` or when it holds
/// a comma, quote or line break.
std::string csv_field(std::string_view text, bool always = false) {
    if (!always && text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string csv_value(const Json& value) {
    if (value.is_string()) return csv_field(value.as_string(), true);
    return csv_field(JsonCodec().encode(value));
}

}  // namespace

mosaik::Meta Collector::init(const std::string& sid, double, const JsonObject& sim_params) {
    const ParamReader params(owner, sim_params);
    sid_ = sid;
    const auto csv_path = params.optional_string("csv_path");
    const auto path = params.optional_string("path");
    const auto format = params.optional_string("format");
    if (csv_path && path) params.fail("give either 'path' or 'csv_path', not both");
    if (format && !path) params.fail("param 'format' goes with 'path'");
    if (format && *format != "csv" && *format != "hdf5") {
        params.fail(fmt::format("param 'format': '{}' is neither 'csv' nor 'hdf5'", *format));
    }
    const char* name = path ? "path" : "csv_path";
    path_ = path ? path : csv_path;
    if (path_) {
        const auto extension = std::filesystem::path(*path_).extension().string();
        hdf5_ = path && (format ? *format == "hdf5" : (extension == ".h5" || extension == ".hdf5"));
        const auto dir = std::filesystem::absolute(*path_).parent_path();
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) {
            params.fail(fmt::format("param '{}': the directory '{}' does not exist", name, dir.string()));
        }
    }
    mosaik::Meta meta(mosaik::SimType::event_based);
    meta.model("Monitor").any_inputs(true);
    return meta;
}

std::vector<mosaik::Entity> Collector::create(std::int64_t num, const std::string& model, const JsonObject&) {
    if (num == 0) return {};
    if (created_ || num > 1) {
        throw ConfigError(fmt::format("{}: only one Monitor per simulator (start another collector for a second table)",
                                      owner));
    }
    created_ = true;
    return {mosaik::Entity(monitor_eid, model)};
}

asio::awaitable<std::optional<std::int64_t>> Collector::step(std::int64_t time, const mosaik::Inputs& inputs,
                                                             std::int64_t) {
    records_.begin_step(time, inputs.same_shape());
    if (inputs.same_shape()) {
        // The keys are the last step's: the values alone, by place.
        records_.add_values(inputs.value_count(), [&](std::size_t k) -> const Json& { return inputs.value(k); });
    } else {
        records_.expect_keys(inputs.value_count());
        // The keys handed over are those of the JSON objects: one entity's attribute is one
        // object, its sources distinct.
        const std::string* group = nullptr;
        inputs.visit([&](const std::string&, const std::string& attr, const std::string& source, const Json& value) {
            if (&attr != group) {
                records_.begin_group();
                group = &attr;
            }
            records_.add(source, attr, value);
        });
    }
    co_return std::nullopt;
}

mosaik::Outputs Collector::get_data(const mosaik::OutputRequest& request) {
    mosaik::Outputs out(request);
    for (const auto& [eid, attrs] : request) {
        if (eid != monitor_eid || !created_) throw ConfigError(fmt::format("{}: unknown entity '{}'", owner, eid));
        if (!attrs.empty()) throw ConfigError(fmt::format("{}: Monitor has no attribute '{}'", owner, attrs.front()));
        out.entity(eid);
    }
    return out;
}

void write_csv(std::ostream& out, const RecordTable& records) {
    out << "time,source,attribute,value\n";
    records.visit([&](std::int64_t time, std::string_view source, std::string_view attr, const Json& value) {
        out << time << ',' << csv_field(source) << ',' << csv_field(attr) << ',' << csv_value(value) << '\n';
    });
}

void Collector::write_csv(std::ostream& out) const { sims::write_csv(out, records_); }

std::string Collector::summary() const {
    const auto count = records_.size();
    if (count == 0) return "0 records";
    const auto sources = records_.source_count();
    return fmt::format("{} record{} from {} source{}, time {} to {}", count, count == 1 ? "" : "s", sources,
                       sources == 1 ? "" : "s", *records_.first_time(), *records_.last_time());
}

void Collector::finalize() {
    auto line = fmt::format("{}: {}", sid_.empty() ? owner : sid_, summary());
    if (path_ && hdf5_) {
        try {
            write_hdf5(records_, *path_);
        } catch (const std::exception& e) {
            throw Error(fmt::format("{}: cannot write '{}': {}", owner, *path_, e.what()));
        }
        line += fmt::format("; wrote {}", *path_);
    } else if (path_) {
        errno = 0;
        std::ofstream out(*path_, std::ios::out | std::ios::trunc);
        if (out) write_csv(out);
        out.close();
        if (!out) {
            const auto reason = errno != 0 ? std::strerror(errno) : "write failed";
            throw Error(fmt::format("{}: cannot write '{}': {}", owner, *path_, reason));
        }
        line += fmt::format("; wrote {}", *path_);
    }
    if (summary_) {
        summary_(line);
    } else {
        mas::log("mas.sims")->info("{}", line);
    }
}

}  // namespace mas::sims
