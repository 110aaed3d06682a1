#include "results_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <hdf5.h>

#include "hdf5_layout.hpp"
#include "mas/core/error.hpp"

namespace mas::sims {
namespace {

constexpr double nothing = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view hdf5_signature{"\x89HDF\r\n\x1a\n", 8};
constexpr std::string_view csv_header = "time,source,attribute,value";

// The file's text, or nothing for an HDF5 file (told by its first bytes, read before the rest).
std::optional<std::string> text_unless_hdf5(const std::filesystem::path& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!file) throw Error(fmt::format("cannot read the results file '{}': {}", path.string(), std::strerror(errno)));
    std::string text(hdf5_signature.size(), '\0');
    text.resize(std::fread(text.data(), 1, text.size(), file.get()));
    if (text == hdf5_signature) return std::nullopt;
    char buffer[1 << 16];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
    if (std::ferror(file.get()) != 0) throw Error(fmt::format("cannot read the results file '{}'", path.string()));
    return text;
}

// ---- CSV -------------------------------------------------------------------------------------

class CsvReader {
public:
    CsvReader(std::string_view text, std::string name) : text_(text), name_(std::move(name)) {}

    Results read() {
        const auto first_end = text_.find('\n');
        if (text_.substr(0, first_end) != csv_header) {
            fail(1, fmt::format("its first line is not the collector's header '{}'", csv_header));
        }
        pos_ = first_end + 1;
        for (line_ = 2; pos_ < text_.size(); ++line_) row();
        return assemble();
    }

private:
    struct Record {
        std::uint32_t time;
        std::uint32_t attr;
        std::uint32_t source;
        double value;
    };

    [[noreturn]] void fail(std::size_t line, const std::string& what) const {
        throw Error(fmt::format("the results file '{}' is not a collector CSV: line {}: {}", name_, line, what));
    }

    // One field up to the separator `end` (',' or '\n'); `quoted` tells whether it was quoted.
    std::string_view field(char end, std::string& unquoted, bool& quoted) {
        quoted = pos_ < text_.size() && text_[pos_] == '"';
        if (!quoted) {
            const auto stop = text_.find_first_of(end == ',' ? ",\n" : "\n", pos_);
            if (stop == std::string_view::npos || text_[stop] != end) {
                fail(line_, stop == std::string_view::npos ? "the line is cut short" : "too few fields");
            }
            const auto out = text_.substr(pos_, stop - pos_);
            pos_ = stop + 1;
            return out;
        }
        unquoted.clear();
        ++pos_;
        for (;;) {
            const auto quote = text_.find('"', pos_);
            if (quote == std::string_view::npos) fail(line_, "a quoted field is cut short");
            unquoted.append(text_.substr(pos_, quote - pos_));
            pos_ = quote + 1;
            if (pos_ < text_.size() && text_[pos_] == '"') {
                unquoted += '"';
                ++pos_;
                continue;
            }
            break;
        }
        if (pos_ >= text_.size()) fail(line_, "the line is cut short");
        if (text_[pos_] != end) fail(line_, "a quoted field goes on after its closing quote");
        ++pos_;
        return unquoted;
    }

    void row() {
        bool quoted = false;
        const auto time_text = field(',', scratch_, quoted);
        std::int64_t time = 0;
        const auto [end, ec] = std::from_chars(time_text.data(), time_text.data() + time_text.size(), time);
        if (quoted || ec != std::errc() || end != time_text.data() + time_text.size()) {
            fail(line_, fmt::format("the time '{}' is not an integer", time_text));
        }
        const auto source = intern(sources_, std::string(field(',', scratch_, quoted)));
        const auto attr = intern(attrs_, std::string(field(',', scratch_, quoted)));
        const auto value_text = field('\n', scratch_, quoted);
        if (text_attrs_.size() < attrs_.size()) text_attrs_.resize(attrs_.size(), false);
        double value = nothing;
        if (quoted) {
            text_attrs_[attr] = true;  // a string, list or dict
        } else if (value_text == "true" || value_text == "false") {
            value = value_text == "true" ? 1.0 : 0.0;
        } else if (value_text != "null") {
            const auto [stop, error] = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
            if (error != std::errc() || stop != value_text.data() + value_text.size()) {
                // Python's inf and nan, which mosaik's own formatting gives.
                if (value_text == "inf" || value_text == "-inf" || value_text == "nan") {
                    value = value_text == "nan" ? nothing : (value_text[0] == '-' ? -HUGE_VAL : HUGE_VAL);
                } else {
                    fail(line_, fmt::format("the value '{}' is neither a number, a boolean, null nor quoted", value_text));
                }
            }
        }
        if (times_.empty() || times_.back() != time) {
            if (!times_.empty() && time < times_.back()) fail(line_, "the times are not in order");
            times_.push_back(time);
        }
        records_.push_back({static_cast<std::uint32_t>(times_.size() - 1), attr, source, value});
    }

    static std::uint32_t intern(std::unordered_map<std::string, std::uint32_t>& names, std::string name) {
        const auto next = static_cast<std::uint32_t>(names.size());
        return names.try_emplace(std::move(name), next).first->second;
    }

    // Names in byte order, and the place of each id in that order.
    static std::pair<std::vector<std::string>, std::vector<std::uint32_t>> ordered(
        const std::unordered_map<std::string, std::uint32_t>& names) {
        std::vector<std::string> sorted(names.size());
        for (const auto& [name, id] : names) sorted[id] = name;
        std::vector<std::uint32_t> order(sorted.size());
        for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return sorted[a] < sorted[b]; });
        std::vector<std::uint32_t> rank(order.size());
        std::vector<std::string> names_out(order.size());
        for (std::uint32_t r = 0; r < order.size(); ++r) {
            rank[order[r]] = r;
            names_out[r] = std::move(sorted[order[r]]);
        }
        return {std::move(names_out), std::move(rank)};
    }

    Results assemble() {
        Results out;
        out.times = std::move(times_);
        auto [attr_names, attr_rank] = ordered(attrs_);
        text_attrs_.resize(attrs_.size(), false);
        // Each attribute's sources, in byte order: their columns.
        std::vector<std::map<std::string_view, std::uint32_t>> columns(attr_names.size());
        std::vector<std::string_view> source_names(sources_.size());
        for (const auto& [name, id] : sources_) source_names[id] = name;
        std::vector<std::unordered_map<std::uint32_t, std::uint32_t>> column_of(attr_names.size());
        for (const auto& r : records_) columns[attr_rank[r.attr]].try_emplace(source_names[r.source], r.source);
        out.attributes.resize(attr_names.size());
        for (std::size_t a = 0; a < attr_names.size(); ++a) {
            auto& attribute = out.attributes[a];
            attribute.name = std::move(attr_names[a]);
            for (const auto& [name, source] : columns[a]) {
                column_of[a].emplace(source, static_cast<std::uint32_t>(attribute.entities.size()));
                attribute.entities.emplace_back(name);
            }
        }
        for (const auto& [name, id] : attrs_) out.attributes[attr_rank[id]].text = text_attrs_[id];
        for (auto& attribute : out.attributes) {
            if (!attribute.text) attribute.values.assign(out.times.size() * attribute.entities.size(), nothing);
        }
        for (const auto& r : records_) {
            const auto a = attr_rank[r.attr];
            auto& attribute = out.attributes[a];
            if (attribute.text) continue;
            attribute.values[r.time * attribute.entities.size() + column_of[a].find(r.source)->second] = r.value;
        }
        return out;
    }

    std::string_view text_;
    std::string name_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::string scratch_;
    std::vector<std::int64_t> times_;
    std::unordered_map<std::string, std::uint32_t> sources_;
    std::unordered_map<std::string, std::uint32_t> attrs_;
    std::vector<bool> text_attrs_;
    std::vector<Record> records_;
};

// ---- HDF5 ------------------------------------------------------------------------------------

class Hdf5Reader {
public:
    explicit Hdf5Reader(std::string name) : name_(std::move(name)) {}

    Results read() {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        Hdf5Handle file(H5Fopen(name_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, bad("it cannot be opened as HDF5 (cut short?)"));
        Results out;
        {
            Hdf5Handle time(H5Dopen2(file.get(), "time", H5P_DEFAULT), H5Dclose, bad("it has no dataset 'time'"));
            out.times.resize(length(time.get(), 1, "time").front());
            if (!out.times.empty() &&
                H5Dread(time.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.times.data()) < 0) {
                throw Error(bad("'time' cannot be read"));
            }
        }
        std::vector<std::string> links;
        hsize_t index = 0;
        const auto collect = [](hid_t, const char* link, const H5L_info_t*, void* data) -> herr_t {
            static_cast<std::vector<std::string>*>(data)->emplace_back(link);
            return 0;
        };
        if (H5Literate(file.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect, &links) < 0) {
            throw Error(bad("its groups cannot be listed"));
        }
        for (const auto& link : links) {
            if (link == "time") continue;
            out.attributes.push_back(attribute(file.get(), link, out.times.size()));
        }
        std::sort(out.attributes.begin(), out.attributes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        return out;
    }

private:
    [[nodiscard]] std::string bad(const std::string& what) const {
        return fmt::format("the results file '{}' is not a collector HDF5 file: {}", name_, what);
    }

    std::vector<hsize_t> length(hid_t dataset, int rank, const std::string& what) const {
        Hdf5Handle space(H5Dget_space(dataset), H5Sclose, bad("'" + what + "' has no dataspace"));
        if (H5Sget_simple_extent_ndims(space.get()) != rank) throw Error(bad(fmt::format("'{}' is not {}-dimensional", what, rank)));
        std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
        return dims;
    }

    ResultsAttribute attribute(hid_t file, const std::string& link, std::size_t rows) const {
        ResultsAttribute out;
        out.name = attribute_name(link);
        Hdf5Handle group(H5Gopen2(file, link.c_str(), H5P_DEFAULT), H5Gclose, bad("'" + link + "' is not a group"));
        {
            const auto what = link + "/entities";
            Hdf5Handle entities(H5Dopen2(group.get(), "entities", H5P_DEFAULT), H5Dclose, bad("it has no '" + what + "'"));
            const auto count = length(entities.get(), 1, what).front();
            const auto type = utf8_text_type();
            std::vector<char*> names(count, nullptr);
            if (count > 0 && H5Dread(entities.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, names.data()) < 0) {
                throw Error(bad("'" + what + "' cannot be read as strings"));
            }
            for (auto* name : names) {
                out.entities.emplace_back(name ? name : "");
                H5free_memory(name);
            }
        }
        const auto what = link + "/values";
        Hdf5Handle values(H5Dopen2(group.get(), "values", H5P_DEFAULT), H5Dclose, bad("it has no '" + what + "'"));
        const auto dims = length(values.get(), 2, what);
        if (dims[0] != rows || dims[1] != out.entities.size()) {
            throw Error(bad(fmt::format("'{}' is {} x {}, not times x entities ({} x {})", what, dims[0], dims[1], rows,
                                        out.entities.size())));
        }
        Hdf5Handle type(H5Dget_type(values.get()), H5Tclose, bad("'" + what + "' has no type"));
        if (H5Tget_class(type.get()) != H5T_FLOAT) {
            out.text = true;
            return out;
        }
        out.values.resize(rows * out.entities.size());
        if (!out.values.empty() &&
            H5Dread(values.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0) {
            throw Error(bad("'" + what + "' cannot be read"));
        }
        return out;
    }

    std::string name_;
};

}  // namespace

Results read_results(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw Error(fmt::format("the results file '{}' is missing", path.string()));
    }
    const auto text = text_unless_hdf5(path);
    if (!text) return Hdf5Reader(path.string()).read();
    return CsvReader(*text, path.string()).read();
}

}  // namespace mas::sims
