#pragma once
/// \file
/// The command line of a `cmd` simulator: mosaik's placeholders and shell-like splitting.

#include <string>
#include <string_view>
#include <vector>

namespace mas::mosaik {

/// Replaces `%(addr)s` by `addr`, `%(python)s` by `python` and `%%` by `%`, as mosaik's
/// `cmd % {"addr": ..., "python": ...}` does. Throws mas::ConfigError for any other `%`.
std::string substitute_command(std::string_view cmd, std::string_view addr, std::string_view python);

/// Splits a command line into words as Python's `shlex.split` does: spaces, tabs and newlines
/// separate words; quotes may start and end anywhere in a word; single quotes keep everything
/// literally; in double quotes a backslash escapes only `\` and `"`; outside quotes a backslash
/// escapes any character; `''` is an empty word; `#` is an ordinary character. Throws
/// mas::ConfigError for an unclosed quote or a trailing backslash.
std::vector<std::string> split_command(std::string_view line);

}  // namespace mas::mosaik
