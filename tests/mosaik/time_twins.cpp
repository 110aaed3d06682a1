#include "mosaik/time_twins.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

namespace mas::test {

using mosaik::Entity;
using mosaik::Inputs;
using mosaik::Meta;
using mosaik::OutputRequest;
using mosaik::Outputs;

namespace {

std::int64_t step_size(const JsonObject& params) {
    const auto* s = params.find("step_size");
    return s ? s->get<std::int64_t>() : 1;
}

std::int64_t param(const JsonObject& params, std::string_view name, std::int64_t fallback) {
    const auto* p = params.find(name);
    return p ? p->get<std::int64_t>() : fallback;
}

}  // namespace

Meta TimeSrc::init(const std::string&, double, const JsonObject& params) {
    step_size_ = step_size(params);
    Meta meta;
    meta.model("Src").params({"start"}).attrs({"out"});
    return meta;
}

std::vector<Entity> TimeSrc::create(std::int64_t num, const std::string& model, const JsonObject& params) {
    std::vector<Entity> out;
    const auto start = param(params, "start", 0);
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("Src_{}", ents_.size());
        ents_[eid] = {start, start};
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> TimeSrc::step(std::int64_t time, const Inputs&, std::int64_t) {
    for (auto& [eid, e] : ents_) e.second = e.first + time;
    co_return time + step_size_;
}

Outputs TimeSrc::get_data(const OutputRequest& request) {
    Outputs out;
    for (const auto& [eid, attrs] : request) {
        for (const auto& a : attrs) out.set(eid, a, ents_.at(eid).second);
    }
    return out;
}

TimeNode::TimeNode(std::optional<std::int64_t> fail_at) : fail_at_(fail_at) {
    expose_extra("set_offset", [this](const JsonArray& args, const JsonObject&) {
        offset_ = args.at(0).get<std::int64_t>();
        return Json::object({{"offset", offset_}});
    });
    expose_extra("describe", [this](const JsonArray& args, const JsonObject& kwargs) {
        JsonObject kw = kwargs;
        const bool upper = kw.contains("upper") && kw.at("upper").get<bool>();
        kw.erase("upper");
        auto text = fmt::format("{}:{}:{}", args.at(0).as_string(), sid_, order_.size());
        if (upper) std::transform(text.begin(), text.end(), text.begin(), ::toupper);
        return Json::object({{"text", text}, {"kw", Json(std::move(kw))}});
    });
}

Meta TimeNode::init(const std::string& sid, double, const JsonObject& params) {
    sid_ = sid;
    step_size_ = step_size(params);
    Meta meta;
    meta.model("Node").params({"init_val", "delta"}).attrs({"in", "val", "delta"});
    meta.model("Child").is_public(false).attrs({"in", "val"});
    meta.extra_method("set_offset").extra_method("describe");
    return meta;
}

std::vector<Entity> TimeNode::create(std::int64_t num, const std::string& model, const JsonObject& params) {
    const auto init_val = param(params, "init_val", 0);
    const auto delta = param(params, "delta", 1);
    std::vector<Entity> out;
    std::string previous;
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("Node_{}", nodes_++);
        auto child = eid + "_c0";
        add(eid, {{"val", init_val}, {"delta", delta}, {"in", 0}});
        add(child, {{"val", 0}, {"in", 0}});
        Entity e(eid, model);
        e.related(i > 0 ? std::vector<std::string>{previous} : std::vector<std::string>{});
        e.child(Entity(child, "Child").related({eid}));
        out.push_back(e);
        previous = eid;
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> TimeNode::step(std::int64_t time, const Inputs& inputs, std::int64_t) {
    if (fail_at_ && time >= *fail_at_) {
        throw std::invalid_argument(fmt::format("deliberate failure in step at time {}", time));
    }
    for (const auto& eid : order_) {
        auto& e = ents_[eid];
        const auto total = static_cast<std::int64_t>(inputs.sum(eid, "in"));
        e["in"] = total;
        e["val"] = e.contains("delta") ? e["val"] + e["delta"] + total + offset_ : total;
    }
    co_return time + step_size_;
}

Outputs TimeNode::get_data(const OutputRequest& request) {
    Outputs out;
    for (const auto& [eid, attrs] : request) {
        for (const auto& a : attrs) out.set(eid, a, ents_.at(eid).at(a));
    }
    return out;
}

void TimeNode::add(const std::string& eid, std::map<std::string, std::int64_t> attrs) {
    order_.push_back(eid);
    ents_[eid] = std::move(attrs);
}

Meta TimeSink::init(const std::string&, double, const JsonObject& params) {
    step_size_ = step_size(params);
    Meta meta;
    meta.model("Sink").any_inputs(true);
    return meta;
}

std::vector<Entity> TimeSink::create(std::int64_t num, const std::string& model, const JsonObject&) {
    std::vector<Entity> out;
    for (std::int64_t i = 0; i < num; ++i) out.emplace_back(fmt::format("Sink_{}", n_++), model);
    return out;
}

asio::awaitable<std::optional<std::int64_t>> TimeSink::step(std::int64_t time, const Inputs&, std::int64_t) {
    co_return time + step_size_;
}

Outputs TimeSink::get_data(const OutputRequest&) { return {}; }

}  // namespace mas::test
