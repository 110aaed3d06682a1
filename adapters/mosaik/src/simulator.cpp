#include "mas/mosaik/simulator.hpp"

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {

void Simulator::expose_extra(std::string name, ExtraMethod method) {
    // Meta::validate knows the reserved names; reuse it on a throw-away meta.
    Meta probe;
    probe.extra_method(name);
    probe.validate();
    for (auto& [n, m] : extras_) {
        if (n == name) {
            m = std::move(method);
            return;
        }
    }
    extras_.emplace_back(std::move(name), std::move(method));
}

const ExtraMethod* Simulator::find_extra(const std::string& name) const {
    for (const auto& [n, m] : extras_) {
        if (n == name) return &m;
    }
    return nullptr;
}

std::vector<std::string> Simulator::extra_names() const {
    std::vector<std::string> out;
    for (const auto& item : extras_) out.push_back(item.first);
    return out;
}

MosaikRemote& Simulator::mosaik() {
    if (!remote_) throw Error("Simulator::mosaik() is only available while the simulator is served");
    return *remote_;
}

}  // namespace mas::mosaik
