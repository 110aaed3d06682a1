#include "mas/core/error.hpp"

namespace mas {

RemoteError::RemoteError(std::string origin, std::string remote_traceback)
    : Error("Origin: " + origin + "\n" + remote_traceback),
      origin_(std::move(origin)),
      traceback_(std::move(remote_traceback)) {}

std::string RemoteError::summary() const {
    auto end = traceback_.find_last_not_of("\r\n");
    if (end == std::string::npos) return {};
    auto begin = traceback_.rfind('\n', end);
    begin = begin == std::string::npos ? 0 : begin + 1;
    return traceback_.substr(begin, end - begin + 1);
}

namespace {
class Category : public std::error_category {
public:
    const char* name() const noexcept override { return "mas"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::protocol_error: return "the peer broke the wire protocol";
        case errc::message_too_large: return "message exceeds the maximum message size";
        case errc::closed: return "the channel was closed";
        case errc::not_found: return "the peer has no such object";
        }
        return "unknown mas error";
    }
};
}  // namespace

const std::error_category& error_category() noexcept {
    static const Category category;
    return category;
}

}  // namespace mas
