#include "mas/mosaik/orchestrator/command_line.hpp"

#include <optional>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {

std::string substitute_command(std::string_view cmd, std::string_view addr, std::string_view python) {
    std::string out;
    for (std::size_t i = 0; i < cmd.size(); ++i) {
        const auto rest = cmd.substr(i);
        if (cmd[i] != '%') {
            out += cmd[i];
        } else if (rest.starts_with("%%")) {
            out += '%';
            i += 1;
        } else if (rest.starts_with("%(addr)s")) {
            out += addr;
            i += std::string_view("%(addr)s").size() - 1;
        } else if (rest.starts_with("%(python)s")) {
            out += python;
            i += std::string_view("%(python)s").size() - 1;
        } else {
            throw ConfigError(fmt::format("simulator command \"{}\": unknown placeholder at \"{}\" (only %(addr)s, "
                                          "%(python)s and %% are replaced)",
                                          cmd, rest.substr(0, 12)));
        }
    }
    return out;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::vector<std::string> split_command(std::string_view line) {
    std::vector<std::string> words;
    std::optional<std::string> word;  // set once a word has begun, even if it is still empty
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (is_space(c)) {
            if (word) words.push_back(std::move(*word));
            word.reset();
            continue;
        }
        if (!word) word.emplace();
        if (c == '\\') {
            if (++i == line.size()) throw ConfigError(fmt::format("simulator command \"{}\" ends in a backslash", line));
            *word += line[i];
        } else if (c == '\'' || c == '"') {
            std::size_t j = i + 1;
            for (; j < line.size() && line[j] != c; ++j) {
                if (c == '"' && line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '\\' || line[j + 1] == '"')) ++j;
                *word += line[j];
            }
            if (j == line.size()) {
                throw ConfigError(fmt::format("simulator command \"{}\" has no closing quotation", line));
            }
            i = j;
        } else {
            *word += c;
        }
    }
    if (word) words.push_back(std::move(*word));
    return words;
}

}  // namespace mas::mosaik
