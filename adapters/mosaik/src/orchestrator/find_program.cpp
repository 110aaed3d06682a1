#include "orchestrator/find_program.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace mas::mosaik::detail {

std::optional<std::string> find_program(std::string_view name, std::string_view path, const std::string& cwd) {
    std::size_t begin = 0;
    while (begin <= path.size()) {
        auto end = path.find(':', begin);
        if (end == std::string_view::npos) end = path.size();
        std::filesystem::path dir(path.substr(begin, end - begin));
        if (dir.empty()) dir = ".";
        if (dir.is_relative() && !cwd.empty()) dir = std::filesystem::path(cwd) / dir;
        const auto candidate = dir / name;
        struct stat info {};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
        begin = end + 1;
    }
    return std::nullopt;
}

}  // namespace mas::mosaik::detail
