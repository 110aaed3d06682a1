#include "workload.hpp"

#include <cstdint>

#include "mas/channel/frame.hpp"
#include "mas/core/json_codec.hpp"

namespace mas::bench {
namespace {

std::string frame(MessageType type, const Json& content) {
    std::string out;
    append_frame(JsonCodec(), type, 0, content, default_max_message_size, out);
    return out;
}

}  // namespace

Json add_request() { return Json::array({"add", Json::array({1, 2}), Json::object()}); }

std::string add_request_frame() { return frame(MessageType::request, add_request()); }

std::string add_reply_frame() { return frame(MessageType::success, add_result(add_request())); }

Json add_result(const Json& request) {
    const auto& args = request[1];
    return args[0].get<std::int64_t>() + args[1].get<std::int64_t>();
}

}  // namespace mas::bench
