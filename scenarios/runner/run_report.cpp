#include "run_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"
#include "report_assets.hpp"
#include "results_reader.hpp"

namespace mas::runner {
namespace {

std::string read_file(const std::filesystem::path& path, const std::string& what) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!file) throw Error(fmt::format("cannot read {} '{}': {}", what, path.string(), std::strerror(errno)));
    std::string text;
    char buffer[1 << 16];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
    if (std::ferror(file.get()) != 0) throw Error(fmt::format("cannot read {} '{}'", what, path.string()));
    return text;
}

// JSON text for a <script type="application/json"> element: '<' is written as \u003c, so that
// no "</script>" or "<!--" in a name ends the element early.
class DataWriter {
public:
    void raw(std::string_view text) { out_.append(text); }
    void string(std::string_view s) {
        out_ += '"';
        for (const char c : s) {
            switch (c) {
            case '"': out_ += "\\\""; break;
            case '\\': out_ += "\\\\"; break;
            case '\n': out_ += "\\n"; break;
            case '\r': out_ += "\\r"; break;
            case '\t': out_ += "\\t"; break;
            case '<': out_ += "\\u003c"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    fmt::format_to(std::back_inserter(out_), "\\u{:04x}", static_cast<unsigned>(c));
                } else {
                    out_ += c;
                }
            }
        }
        out_ += '"';
    }
    // A number, or null for NaN and the infinities (JSON has neither).
    void number(double v) {
        if (!std::isfinite(v)) {
            out_ += "null";
            return;
        }
        char buffer[32];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
        out_.append(buffer, end);
    }
    void integer(std::int64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
    // A Json value of the record (small), through the codec, '<' escaped as above.
    void json(const Json& value) {
        const auto text = JsonCodec().encode(value);
        for (const char c : text) {
            if (c == '<') {
                out_ += "\\u003c";
            } else {
                out_ += c;
            }
        }
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

struct Step {
    std::size_t sim;
    double time;      // simulated time (the first tier)
    double start_ms;  // wall time since the run began
    double dur_ms;
};

struct Schedule {
    std::vector<std::string> sims;
    std::vector<Step> steps;  // in the order they began
};

Schedule schedule_of(const Json& trace) {
    Schedule out;
    std::unordered_map<std::int64_t, std::size_t> sim_of;  // trace track -> index into sims
    const auto* events = trace.as_object().find("traceEvents");
    if (!events || !events->is_array()) throw Error("the trace has no traceEvents list");
    for (const auto& e : events->as_array()) {
        if (!e.is_object()) continue;
        const auto& event = e.as_object();
        const auto* phase = event.find("ph");
        const auto* tid = event.find("tid");
        if (!phase || !phase->is_string() || !tid || !tid->is_integer()) continue;
        if (phase->as_string() == "M") {
            sim_of.try_emplace(tid->get<std::int64_t>(), out.sims.size());
            out.sims.push_back(e["args"]["name"].as_string());
        } else if (phase->as_string() == "X") {
            const auto found = sim_of.find(tid->get<std::int64_t>());
            if (found == sim_of.end()) throw Error("the trace has a step on an unnamed track");
            const auto& time = e["args"]["time"].as_string();
            double t = 0;
            std::from_chars(time.data(), time.data() + time.size(), t);
            out.steps.push_back({found->second, t, e["ts"].get<double>() / 1000.0, e["dur"].get<double>() / 1000.0});
        }
    }
    std::stable_sort(out.steps.begin(), out.steps.end(), [](const Step& a, const Step& b) { return a.start_ms < b.start_ms; });
    return out;
}

// The summary per simulator (steps and busy wall time), and the slowest steps.
void write_schedule(DataWriter& w, const Schedule& schedule, std::size_t slowest) {
    std::vector<double> busy(schedule.sims.size(), 0.0);
    std::vector<std::int64_t> counts(schedule.sims.size(), 0);
    for (const auto& s : schedule.steps) {
        busy[s.sim] += s.dur_ms;
        ++counts[s.sim];
    }
    w.raw("\"schedule\":{\"sims\":[");
    for (std::size_t i = 0; i < schedule.sims.size(); ++i) {
        if (i > 0) w.raw(",");
        w.raw("{\"sid\":");
        w.string(schedule.sims[i]);
        w.raw(",\"steps\":");
        w.integer(counts[i]);
        w.raw(",\"busy_ms\":");
        w.number(busy[i]);
        w.raw("}");
    }
    // Flat: sim index, simulated time, start and duration in ms, per step.
    w.raw("],\"steps\":[");
    bool first = true;
    for (const auto& s : schedule.steps) {
        if (!first) w.raw(",");
        first = false;
        w.integer(static_cast<std::int64_t>(s.sim));
        w.raw(",");
        w.number(s.time);
        w.raw(",");
        w.number(s.start_ms);
        w.raw(",");
        w.number(s.dur_ms);
    }
    std::vector<const Step*> order;
    order.reserve(schedule.steps.size());
    for (const auto& s : schedule.steps) order.push_back(&s);
    const auto n = std::min(slowest, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                      [](const Step* a, const Step* b) { return a->dur_ms > b->dur_ms; });
    w.raw("],\"slowest\":[");
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) w.raw(",");
        w.raw("[");
        w.integer(static_cast<std::int64_t>(order[i]->sim));
        w.raw(",");
        w.number(order[i]->time);
        w.raw(",");
        w.number(order[i]->start_ms);
        w.raw(",");
        w.number(order[i]->dur_ms);
        w.raw("]");
    }
    w.raw("]}");
}

// One plot: an attribute of the entities of one model, rows where any of them has a value.
void write_plot(DataWriter& w, const std::string& sid, const std::string& model, const sims::ResultsAttribute& attr,
                const std::vector<std::size_t>& columns, const std::vector<std::int64_t>& times, std::size_t stride) {
    const auto width = attr.entities.size();
    std::vector<std::size_t> rows;
    std::size_t all_rows = 0;
    for (std::size_t r = 0; r < times.size(); ++r) {
        const auto* row = attr.values.data() + r * width;
        if (std::any_of(columns.begin(), columns.end(), [&](std::size_t c) { return !std::isnan(row[c]); })) {
            if (all_rows++ % stride == 0) rows.push_back(r);
        }
    }
    w.raw("{\"source\":");
    w.string(sid);
    w.raw(",\"model\":");
    w.string(model);
    w.raw(",\"attr\":");
    w.string(attr.name);
    w.raw(",\"stride\":");
    w.integer(static_cast<std::int64_t>(stride));
    w.raw(",\"all_times\":");
    w.integer(static_cast<std::int64_t>(all_rows));
    w.raw(",\"entities\":[");
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) w.raw(",");
        w.string(attr.entities[columns[i]]);
    }
    w.raw("],\"times\":[");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i > 0) w.raw(",");
        w.integer(times[rows[i]]);
    }
    // Column by column: the page takes an entity's values without going through every row.
    w.raw("],\"columns\":[");
    for (std::size_t i = 0; i < columns.size(); ++i) {
        w.raw(i > 0 ? ",[" : "[");
        for (std::size_t k = 0; k < rows.size(); ++k) {
            if (k > 0) w.raw(",");
            w.number(attr.values[rows[k] * width + columns[i]]);
        }
        w.raw("]");
    }
    w.raw("]}");
}

void write_results(DataWriter& w, const JsonObject& record, std::size_t max_values) {
    const auto* types_json = record.find("entity_types");
    const JsonObject empty;
    const auto& types = types_json && types_json->is_object() ? types_json->as_object() : empty;
    w.raw("\"plots\":[");
    bool first = true;
    DataWriter texts;  // the attributes with text values, which are not plotted
    bool first_text = true;
    // Every file first: the page's budget of values is shared by all of them.
    std::vector<std::pair<std::string, sims::Results>> files;
    std::size_t values = 0;
    for (const auto& file : record.at("results").as_array()) {
        files.emplace_back(file["sid"].as_string(), sims::read_results(file["path"].as_string()));
        for (const auto& attr : files.back().second.attributes) values += attr.values.size();
    }
    const auto stride = std::max<std::size_t>(1, (values + max_values - 1) / std::max<std::size_t>(1, max_values));
    for (const auto& [sid, results] : files) {
        for (const auto& attr : results.attributes) {
            // The entities by model, models in the order their first entity comes.
            std::vector<std::pair<std::string, std::vector<std::size_t>>> models;
            std::unordered_map<std::string, std::size_t> model_index;
            for (std::size_t c = 0; c < attr.entities.size(); ++c) {
                const auto* type = types.find(attr.entities[c]);
                const std::string model = type && type->is_string() ? type->as_string() : "(model unknown)";
                const auto [it, added] = model_index.try_emplace(model, models.size());
                if (added) models.emplace_back(model, std::vector<std::size_t>{});
                models[it->second].second.push_back(c);
            }
            for (const auto& [model, columns] : models) {
                if (attr.text) {
                    texts.raw(first_text ? "{\"source\":" : ",{\"source\":");
                    first_text = false;
                    texts.string(sid);
                    texts.raw(",\"model\":");
                    texts.string(model);
                    texts.raw(",\"attr\":");
                    texts.string(attr.name);
                    texts.raw(",\"entities\":");
                    texts.integer(static_cast<std::int64_t>(columns.size()));
                    texts.raw("}");
                    continue;
                }
                if (!first) w.raw(",");
                first = false;
                write_plot(w, sid, model, attr, columns, results.times, stride);
            }
        }
    }
    w.raw("],\"text_attrs\":[");
    w.raw(texts.take());
    w.raw("]");
}

// A script for inlining: "</script" would end its element early (inside a JS string, "<\/" is
// the same text).
std::string inline_script(std::string text) {
    for (auto at = text.find("</script"); at != std::string::npos; at = text.find("</script", at)) text.insert(at + 1, 1, '\\');
    // The source map is not there; without the comment no tool goes looking for it.
    const auto map = text.rfind("//# sourceMappingURL=");
    if (map != std::string::npos) text.erase(map);
    return text;
}

std::string inline_style(std::string text) {
    const auto map = text.rfind("/*# sourceMappingURL=");
    if (map != std::string::npos) text.erase(map);
    return text;
}

void write_file(const std::filesystem::path& out, const std::string& page) {
    // Next to the target, renamed over it at the end: a report that is there is whole.
    const auto temporary = std::filesystem::path(fmt::format("{}.tmp-{}", out.string(), ::getpid()));
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(temporary.c_str(), "wb"), std::fclose);
    if (!file) throw Error(fmt::format("cannot write the report '{}': {}", out.string(), std::strerror(errno)));
    const bool written = std::fwrite(page.data(), 1, page.size(), file.get()) == page.size();
    const bool closed = std::fclose(file.release()) == 0;
    std::error_code ec;
    if (!written || !closed) {
        const auto reason = std::strerror(errno);
        std::filesystem::remove(temporary, ec);
        throw Error(fmt::format("cannot write the report '{}': {}", out.string(), reason));
    }
    std::filesystem::rename(temporary, out, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw Error(fmt::format("cannot write the report '{}': {}", out.string(), ec.message()));
    }
}

}  // namespace

Json read_trace(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw Error(fmt::format("the trace '{}' is missing", path.string()));
    const auto text = read_file(path, "the trace");
    try {
        return JsonCodec().decode(text);
    } catch (const std::exception& e) {
        throw Error(fmt::format("the trace '{}' is cut short or not JSON: {}", path.string(), e.what()));
    }
}

void write_report(const Json& trace, const std::filesystem::path& out, const ReportOptions& options) {
    if (!trace.is_object()) throw Error("the trace is not a JSON object");
    const auto* metadata = trace.as_object().find("metadata");
    if (!metadata || !metadata->contains("mas_run")) {
        throw Error("the trace has no run record (metadata.mas_run): it was not written by mas-run --trace");
    }
    const auto& record = (*metadata)["mas_run"];
    if (!record.is_object()) throw Error("the trace's run record (metadata.mas_run) is not an object");
    const auto dygraphs_js = options.dygraphs_dir / "dygraph.min.js";
    const auto dygraphs_css = options.dygraphs_dir / "dygraph.min.css";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(dygraphs_js, ec)) {
        throw Error(fmt::format("dygraphs is not at '{}': install Debian's libjs-dygraphs", dygraphs_js.string()));
    }

    DataWriter data;
    data.raw("{\"run\":");
    JsonObject run;
    for (const auto& [key, value] : record.as_object()) {
        if (key != "entity_types") run.push_back(key, value);
    }
    data.json(Json(std::move(run)));
    data.raw(",");
    write_schedule(data, schedule_of(trace), options.slowest_steps);
    data.raw(",");
    write_results(data, record.as_object(), options.max_values);
    data.raw("}");

    std::string page;
    page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mas-run report</title>\n<style>\n";
    page += inline_style(read_file(dygraphs_css, "dygraphs' style sheet"));
    page += "\n";
    page += report_style();
    page += "</style>\n<script>\n";
    page += inline_script(read_file(dygraphs_js, "dygraphs"));
    page += "\n</script>\n</head>\n<body>\n<main id=\"report\"></main>\n<script type=\"application/json\" id=\"mas-data\">";
    page += data.take();
    page += "</script>\n<script>\n";
    page += report_script();
    page += "</script>\n</body>\n</html>\n";
    write_file(out, page);
}

}  // namespace mas::runner
