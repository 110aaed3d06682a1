#include "hdf5_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <hdf5.h>

#include "hdf5_layout.hpp"
#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"

namespace mas::sims {
namespace {

// A handle made by an HDF5 call, failing with "HDF5 could not <what>".
Hdf5Handle made(hid_t id, herr_t (*close)(hid_t), const std::string& what) { return {id, close, "HDF5 could not " + what}; }

void check(herr_t status, const std::string& what) {
    if (status < 0) throw Error("HDF5 could not " + what);
}

struct Column {
    std::set<std::string, std::less<>> sources;  // in byte order: their columns
    bool text = false;                           // a value that is not a number, bool or null
    std::unordered_map<std::string_view, std::size_t> index;  // source -> column
    std::size_t table = 0;
};

bool numeric(const Json& value) { return value.is_number() || value.is_bool() || value.is_null(); }

double number_of(const Json& value) {
    if (value.is_bool()) return value.get<bool>() ? 1.0 : 0.0;
    if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
    return value.get<double>();
}

std::string text_of(const Json& value) {
    if (value.is_string()) return value.as_string();
    return JsonCodec().encode(value);
}

void write_texts(hid_t dataset, hid_t type, hid_t memory, hid_t file, const std::vector<std::string>& texts,
                 const std::string& what) {
    std::vector<const char*> pointers;
    pointers.reserve(texts.size());
    for (const auto& t : texts) pointers.push_back(t.c_str());
    check(H5Dwrite(dataset, type, memory, file, H5P_DEFAULT, pointers.data()), what);
}

// The values of one attribute: a [times x sources] dataset written a block of rows at a time.
struct Table {
    std::string name;
    const Column* column = nullptr;
    hsize_t width = 0;
    std::optional<Hdf5Handle> dataset;
    std::vector<double> numbers;     // the block's rows, NaN where there is no value
    std::vector<std::string> texts;  // the same for a text attribute, "" where there is none
};

}  // namespace

void write_hdf5(const RecordTable& records, const std::string& path) {
    // HDF5 prints its error stack on stderr by default; the error here says what failed.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);

    // First pass: the times, and each attribute's sources and kind.
    std::vector<std::int64_t> times;
    std::map<std::string, Column, std::less<>> columns;
    records.visit([&](std::int64_t time, std::string_view source, std::string_view attr, const Json& value) {
        if (times.empty() || times.back() != time) times.push_back(time);
        auto it = columns.find(attr);
        if (it == columns.end()) it = columns.emplace(std::string(attr), Column{}).first;
        if (it->second.sources.find(source) == it->second.sources.end()) it->second.sources.emplace(source);
        if (!numeric(value)) it->second.text = true;
    });
    std::size_t total_width = 0;
    std::size_t table_index = 0;
    for (auto& [attr, column] : columns) {
        for (const auto& source : column.sources) column.index.emplace(source, column.index.size());
        column.table = table_index++;
        total_width += column.sources.size();
    }

    // Written next to the target and renamed over it at the end: a file that is there is whole.
    const auto temporary = fmt::format("{}.tmp-{}", path, ::getpid());
    std::error_code ignored;
    try {
        auto file = made(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                    "create '" + temporary + "'");
        const auto strings = utf8_text_type();
        {
            const hsize_t count = times.size();
            auto space = made(H5Screate_simple(1, &count, nullptr), H5Sclose, "make a dataspace");
            auto dataset = made(H5Dcreate2(file.get(), "time", H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                      H5P_DEFAULT),
                           H5Dclose, "create the dataset 'time'");
            if (count > 0) {
                check(H5Dwrite(dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, times.data()),
                      "write 'time'");
            }
        }
        std::vector<Table> tables;
        tables.reserve(columns.size());
        for (const auto& [attr, column] : columns) {
            auto& table = tables.emplace_back();
            table.name = link_name(attr);
            table.column = &column;
            table.width = column.sources.size();
            auto group = made(H5Gcreate2(file.get(), table.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                         "create the group '" + table.name + "'");
            {
                const std::vector<std::string> names(column.sources.begin(), column.sources.end());
                auto space = made(H5Screate_simple(1, &table.width, nullptr), H5Sclose, "make a dataspace");
                auto dataset = made(H5Dcreate2(group.get(), "entities", strings.get(), space.get(), H5P_DEFAULT,
                                          H5P_DEFAULT, H5P_DEFAULT),
                               H5Dclose, "create '" + table.name + "/entities'");
                write_texts(dataset.get(), strings.get(), H5S_ALL, H5S_ALL, names, "write '" + table.name + "/entities'");
            }
            const hsize_t dims[2] = {times.size(), table.width};
            auto space = made(H5Screate_simple(2, dims, nullptr), H5Sclose, "make a dataspace");
            table.dataset.emplace(made(H5Dcreate2(group.get(), "values", column.text ? strings.get() : H5T_IEEE_F64LE,
                                             space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                  H5Dclose, "create '" + table.name + "/values'"));
        }

        // Second pass: rows in blocks of a bounded size, written when the block is full.
        const std::size_t block_rows = std::max<std::size_t>(1, (std::size_t{1} << 22) / std::max<std::size_t>(1, total_width));
        std::size_t block_start = 0;  // the block's first row
        const auto reset = [&] {
            for (auto& table : tables) {
                const auto size = block_rows * table.width;
                if (table.column->text) {
                    table.texts.assign(size, std::string());
                } else {
                    table.numbers.assign(size, std::numeric_limits<double>::quiet_NaN());
                }
            }
        };
        const auto flush = [&](std::size_t rows) {
            for (auto& table : tables) {
                if (rows == 0 || table.width == 0) continue;
                const hsize_t start[2] = {block_start, 0};
                const hsize_t count[2] = {rows, table.width};
                auto file_space = made(H5Dget_space(table.dataset->get()), H5Sclose, "get a dataspace");
                check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
                      "select rows of '" + table.name + "/values'");
                auto memory = made(H5Screate_simple(2, count, nullptr), H5Sclose, "make a dataspace");
                const auto what = "write '" + table.name + "/values'";
                if (table.column->text) {
                    table.texts.resize(rows * table.width);
                    write_texts(table.dataset->get(), strings.get(), memory.get(), file_space.get(), table.texts, what);
                } else {
                    check(H5Dwrite(table.dataset->get(), H5T_NATIVE_DOUBLE, memory.get(), file_space.get(), H5P_DEFAULT,
                                   table.numbers.data()),
                          what);
                }
            }
        };
        reset();
        std::size_t row = 0;
        bool started = false;
        std::int64_t current = 0;
        records.visit([&](std::int64_t time, std::string_view source, std::string_view attr, const Json& value) {
            if (!started || time != current) {
                if (started) ++row;
                started = true;
                current = time;
                if (row - block_start == block_rows) {
                    flush(block_rows);
                    block_start = row;
                    reset();
                }
            }
            const auto& info = columns.find(attr)->second;
            auto& table = tables[info.table];
            const auto column = info.index.find(source)->second;
            const auto place = (row - block_start) * table.width + column;
            if (table.column->text) {
                table.texts[place] = value.is_null() ? std::string() : text_of(value);
            } else {
                table.numbers[place] = number_of(value);
            }
        });
        if (started) flush(row + 1 - block_start);
        tables.clear();
        file.close("HDF5 could not write '" + temporary + "'");
        std::filesystem::rename(temporary, path);
    } catch (...) {
        std::filesystem::remove(temporary, ignored);
        throw;
    }
}

}  // namespace mas::sims
