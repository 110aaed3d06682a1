#include "mosaik/event_twins.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace mas::test {

using mosaik::Entity;
using mosaik::Inputs;
using mosaik::Meta;
using mosaik::OutputRequest;
using mosaik::Outputs;
using mosaik::SimType;

namespace {

std::int64_t param(const JsonObject& params, std::string_view name, std::int64_t fallback) {
    const auto* p = params.find(name);
    return p ? p->get<std::int64_t>() : fallback;
}

// The entry of `eid`, or Python's KeyError text for a missing key.
template <class Entries>
auto& entry(Entries& entries, const std::string& eid) {
    auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == eid; });
    if (it == entries.end()) throw std::out_of_range(fmt::format("'{}'", eid));
    return it->second;
}

}  // namespace

Meta EvGen::init(const std::string&, double, const JsonObject&) {
    Meta meta(SimType::event_based);
    meta.model("Gen")
        .params({"period", "stop_after"})
        .attrs({"ev", "level", "kick"})
        .non_persistent({"ev", "level", "kick"});
    return meta;
}

std::vector<Entity> EvGen::create(std::int64_t num, const std::string& model, const JsonObject& params) {
    std::vector<Entity> out;
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("Gen_{}", ents_.size());
        ents_.emplace_back(eid, Gen{param(params, "period", 2), param(params, "stop_after", 6)});
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> EvGen::step(std::int64_t time, const Inputs&, std::int64_t) {
    time_ = time;
    std::optional<std::int64_t> next;
    for (auto& [eid, e] : ents_) {
        e.level = time * 10;
        if (time + e.period <= e.stop_after) next = std::min(next.value_or(time + e.period), time + e.period);
    }
    co_return next;
}

Outputs EvGen::get_data(const OutputRequest& request) {
    Outputs out;
    out.time(time_);
    for (const auto& [eid, attrs] : request) {
        out.entity(eid);
        for (const auto& a : attrs) {
            if (a == "ev") {
                out.set(eid, a, fmt::format("tick@{}", time_));
            } else if (a == "level") {
                out.set(eid, a, entry(ents_, eid).level);
            } else if (a == "period") {
                out.set(eid, a, entry(ents_, eid).period);
            } else if (a == "stop_after") {
                out.set(eid, a, entry(ents_, eid).stop_after);
            } else {
                throw std::out_of_range(fmt::format("'{}'", a));
            }
        }
    }
    return out;
}

Meta Hyb::init(const std::string&, double, const JsonObject&) {
    Meta meta(SimType::hybrid);
    meta.model("H").attrs({"trig_in", "param_in", "out", "state"}).trigger({"trig_in"}).non_persistent({"out"});
    return meta;
}

std::vector<Entity> Hyb::create(std::int64_t num, const std::string& model, const JsonObject&) {
    std::vector<Entity> out;
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("H_{}", states_.size());
        states_.emplace_back(eid, 0);
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> Hyb::step(std::int64_t time, const Inputs& inputs, std::int64_t) {
    time_ = time;
    emit_ = !inputs.empty();
    for (auto& [eid, state] : states_) state += static_cast<std::int64_t>(inputs.values(eid, "trig_in").size());
    std::optional<std::int64_t> next;
    if (time % 2 == 1) next = time + 1;
    co_return next;
}

Outputs Hyb::get_data(const OutputRequest& request) {
    Outputs out;
    for (const auto& [eid, attrs] : request) {
        out.entity(eid);
        for (const auto& a : attrs) {
            if (a == "out") {
                if (emit_) out.set(eid, a, entry(states_, eid));
            } else if (a == "state") {
                out.set(eid, a, entry(states_, eid));
            } else {
                throw std::out_of_range(fmt::format("'{}'", a));
            }
        }
    }
    if (emit_) out.time(time_);
    return out;
}

Meta EvSink::init(const std::string&, double, const JsonObject&) {
    Meta meta(SimType::event_based);
    meta.model("ESink").attrs({"in", "in2"}).trigger({"in", "in2"});
    return meta;
}

std::vector<Entity> EvSink::create(std::int64_t num, const std::string& model, const JsonObject&) {
    std::vector<Entity> out;
    for (std::int64_t i = 0; i < num; ++i) out.emplace_back(fmt::format("ES_{}", n_++), model);
    return out;
}

asio::awaitable<std::optional<std::int64_t>> EvSink::step(std::int64_t, const Inputs&, std::int64_t) {
    co_return std::nullopt;
}

Outputs EvSink::get_data(const OutputRequest&) { return {}; }

Meta AsyncCtl::init(const std::string& sid, double, const JsonObject& params) {
    sid_ = sid;
    step_size_ = param(params, "step_size", 1);
    Meta meta;
    meta.set_events(true);
    meta.model("Ctl").params({"targets"}).attrs({"obs"}).any_inputs(true);
    return meta;
}

std::vector<Entity> AsyncCtl::create(std::int64_t num, const std::string& model, const JsonObject& params) {
    const auto* targets = params.find("targets");
    std::vector<Entity> out;
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("Ctl_{}", ents_.size());
        ents_.emplace_back(eid, targets ? targets->get<std::vector<std::string>>() : std::vector<std::string>{});
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> AsyncCtl::step(std::int64_t time, const Inputs&, std::int64_t) {
    const auto me = sid_ + "." + ents_.front().first;
    const auto targets = ents_.front().second;
    auto& remote = mosaik();
    Answers answers;
    answers.progress = co_await remote.get_progress();
    answers.graph = co_await remote.get_related_entities();
    auto first = targets.at(0);
    answers.one = co_await remote.get_related_entities(first);
    answers.many = co_await remote.get_related_entities(targets);
    JsonObject wanted;
    for (const auto& t : targets) wanted.push_back(t, Json::array({"val", "delta"}));
    answers.data = co_await remote.get_data(Json(std::move(wanted)));
    answers_.push_back(std::move(answers));
    auto value = Json::object({{"in", 100 + time}});
    auto to_target = Json::object({{first, std::move(value)}});
    auto data = Json::object({{me, std::move(to_target)}});
    co_await remote.set_data(std::move(data));
    try {
        co_await remote.set_event(time + 1);
    } catch (const mosaik::MosaikError& e) {
        log_.emplace_back(e.type_name(), e.message());
    }
    co_return time + step_size_;
}

Outputs AsyncCtl::get_data(const OutputRequest& request) {
    Outputs out;
    for (const auto& [eid, attrs] : request) out.entity(eid);
    return out;
}

Meta RtEvent::init(const std::string&, double, const JsonObject&) {
    Meta meta(SimType::event_based);
    meta.set_events(true);
    meta.model("R").attrs({"x"});
    return meta;
}

std::vector<Entity> RtEvent::create(std::int64_t num, const std::string& model, const JsonObject&) {
    std::vector<Entity> out;
    for (std::int64_t i = 0; i < num; ++i) out.emplace_back(fmt::format("R_{}", i), model);
    return out;
}

asio::awaitable<std::optional<std::int64_t>> RtEvent::step(std::int64_t time, const Inputs&, std::int64_t) {
    if (!done_) {
        done_ = true;
        co_await mosaik().set_event(time + 3);
    }
    co_return std::nullopt;
}

Outputs RtEvent::get_data(const OutputRequest&) { return {}; }

}  // namespace mas::test
