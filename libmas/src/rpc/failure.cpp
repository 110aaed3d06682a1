#include "rpc/failure.hpp"

#include <fmt/format.h>

#include "mas/channel/request.hpp"
#include "mas/rpc/router.hpp"

namespace mas::rpc::detail {

std::string failure_reply_text(const std::string& path, std::exception_ptr error) {
    std::string last_line;
    try {
        std::rethrow_exception(error);
    } catch (const LookupError& e) {
        last_line = fmt::format("LookupError: {}\n", e.what());
    } catch (const ArgumentError& e) {
        last_line = fmt::format("TypeError: {}\n", e.what());
    } catch (const ShapeError& e) {
        last_line = fmt::format("ValueError: {}\n", e.what());
    } catch (const std::exception& e) {
        last_line = failure_text(e);
    } catch (...) {
        last_line = "unknown exception: (not derived from std::exception)\n";
    }
    // The first two lines mimic the head of a Python traceback, so that a Python peer prints
    // something familiar; a C++ exception carries no stack to show.
    return fmt::format("Traceback (most recent call last):\n  C++ function \"{}\" (libmas)\n{}", path, last_line);
}

}  // namespace mas::rpc::detail
