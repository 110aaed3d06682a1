#pragma once
// find_program: where exec finds a program name without '/', as Python's shutil.which does.

#include <optional>
#include <string>
#include <string_view>

namespace mas::mosaik::detail {

/// The first executable regular file called `name` in the ':'-separated directory list `path`
/// (an empty entry means "."; relative entries are taken from `cwd` if it is not empty).
std::optional<std::string> find_program(std::string_view name, std::string_view path, const std::string& cwd);

}  // namespace mas::mosaik::detail
