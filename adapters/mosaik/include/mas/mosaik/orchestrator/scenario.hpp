#pragma once
/// \file
/// Scenario: a mosaik scenario read from a JSON file (docs/scenarios.md): which simulators to
/// start and how, the entities to create, how to connect them, and how long to run.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mas/channel/tls_context.hpp"
#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/scenario_error.hpp"

namespace mas::mosaik {

/// What the caller adds to a scenario file when loading it.
struct ScenarioOptions {
    /// Values for `${name}` in the file's strings. They override the file's own `variables`;
    /// `out_dir` (default: the current directory) is the usual one. `scenario_dir` is built in
    /// and cannot be set.
    std::map<std::string, std::string> variables;
};

/// A validated scenario. Everything a World needs to build the mosaik scenario, in the order
/// mosaik would do it: start `sims()`, create `entities()` (calling `extra_method_calls()` in
/// between), `connect` every pair of `connections()`, set `initial_events()`, run until
/// `until()`. Every item carries its ScenarioLocation, so later checks (against the simulators'
/// meta) can throw a ScenarioError pointing into the file.
class Scenario {
public:
    /// `{"cpp": name}`: a simulator class registered in the orchestrator's process.
    struct InProcess {
        std::string name;
    };
    /// `{"cmd": ..., "cwd": ..., "env": {...}}`: a process that connects back to the orchestrator.
    /// `cmd` still holds mosaik's `%(addr)s` and `%(python)s` for the starter to fill in.
    struct Command {
        std::string cmd;
        std::filesystem::path cwd;               ///< absolute; the scenario's directory unless the file says
        std::map<std::string, std::string> env;  ///< added to the orchestrator's environment
    };
    /// `{"connect": "host:port"}`: a simulator already listening there.
    struct Connect {
        std::string addr;
        /// `"tls": {"ca", "cert", "key", "server_name"}`: mutual TLS, paths from the file's directory.
        std::optional<TlsFiles> tls;
        std::string tls_server_name;
    };
    /// One entry of `sim_config`: how the simulators started under `name` are started.
    struct SimConfig {
        std::string name;
        std::variant<InProcess, Command, Connect> starter;
        ScenarioLocation where;
    };

    /// `World(...)` and `run(...)` options of mosaik, with mosaik's defaults.
    struct WorldOptions {
        double time_resolution = 1.0;  ///< seconds per integer time step
        std::int64_t max_loop_iterations = 100;
        bool cache = true;
        bool lazy_stepping = true;
        std::optional<double> rt_factor;  ///< real-time mode when set
        bool rt_strict = false;
        std::chrono::duration<double> start_timeout{10.0};
        /// Seconds one step or get_data may take; none waits forever (mosaik has no limit).
        std::optional<std::chrono::duration<double>> step_timeout;
    };

    /// One `world.start(name, sim_id=..., **params)`.
    struct Sim {
        std::string name;    ///< the sim_config entry
        std::string sim_id;  ///< as given, or mosaik's `<name>-<n>` (n counts per name from 0)
        JsonObject params;
        /// The nested `world.group()`s it is started in, outermost first; empty for none.
        std::vector<std::string> group;
        ScenarioLocation where;
    };

    /// One `create(num, model, **params)` on a started simulator: an entity group.
    struct Entities {
        std::string name;  ///< how connections refer to the group; may be empty
        std::string sim;   ///< the sim id
        std::string model;
        std::int64_t num = 1;
        JsonObject params;
        ScenarioLocation where;
    };

    /// One entity a connection names: the `index`-th entity of entity group `group`, or, when
    /// `group` is empty, the entity `eid` (any id the simulator knows, also a child's).
    struct EntityRef {
        std::string sim;                   ///< the sim id, known either way
        std::optional<std::size_t> group;  ///< index into entities()
        std::size_t index = 0;
        std::string eid;
        std::string label;  ///< as the scenario names it, e.g. `houses[2]` or `PV-0.PV_1`
    };

    /// One attribute pair of a connection: `"val"` means `["val", "val"]`.
    struct AttrPair {
        std::string src;
        std::string dest;
        ScenarioLocation where;
    };

    /// The entities one side of a connection selects, in order. A whole entity group or a slice
    /// of one is kept as one range, so that a connection of 100,000 pairs stays a few bytes.
    class Selection {
    public:
        /// Where a selected entity is: entity group `group`, its `index`-th entity, or for one
        /// named by full id no group and the reference `named`.
        struct Place {
            std::optional<std::size_t> group;
            std::size_t index = 0;
            const EntityRef* named = nullptr;
        };

        /// Appends entities `first` to `first + count - 1` of entity group `group`, called `name`
        /// and created on simulator `sim`.
        void add_range(std::size_t group, std::size_t first, std::size_t count, const std::string& name,
                       const std::string& sim);
        /// Appends one entity named by its full id.
        void add_entity(EntityRef entity);

        [[nodiscard]] std::size_t size() const noexcept { return size_; }
        /// The `i`-th selected entity (i < size()), with its label.
        [[nodiscard]] EntityRef operator[](std::size_t i) const;
        /// Where the `i`-th selected entity is, without building its label.
        [[nodiscard]] Place place(std::size_t i) const;
        /// The sim id of the `i`-th selected entity.
        [[nodiscard]] const std::string& sim(std::size_t i) const { return range_of(i).entity.sim; }

    private:
        struct Range {
            std::size_t begin;  // the selection's positions of this range: [begin, end)
            std::size_t end;
            std::optional<std::size_t> group;
            std::size_t first = 0;
            std::string name;  // the group's name, for labels
            EntityRef entity;  // the group's sim id, or the entity named by full id
        };
        [[nodiscard]] const Range& range_of(std::size_t i) const;

        std::vector<Range> ranges_;
        std::size_t size_ = 0;
    };

    /// One `connections` entry. It stands for one `world.connect(src, dest, *attrs, ...)` per
    /// pair of entities it selects, with the same attributes and options.
    struct Connection {
        struct Pair {
            EntityRef src;
            EntityRef dest;
        };
        Selection src;
        Selection dest;
        /// Pairs src[i] with dest[i]; otherwise every src entity with every dest entity, src-major.
        bool one_to_one = false;
        /// How many world.connect calls the entry stands for.
        [[nodiscard]] std::size_t pair_count() const noexcept;
        /// The positions in src and dest of the `i`-th pair.
        [[nodiscard]] std::pair<std::size_t, std::size_t> pair_indices(std::size_t i) const noexcept;
        /// The `i`-th pair, with labels.
        [[nodiscard]] Pair pair(std::size_t i) const;
        /// Every pair, in order (for small connections: it builds them all).
        [[nodiscard]] std::vector<Pair> pairs() const;
        std::vector<AttrPair> attrs;
        std::int64_t time_shifted = 0;  ///< 0: no shift; `true` in the file is 1
        JsonObject initial_data;        ///< `{src_attr: value}`
        bool weak = false;
        bool async_requests = false;
        ScenarioLocation where;
    };

    /// `world.set_initial_event(sim, time)`.
    struct InitialEvent {
        std::string sim;
        std::int64_t time = 0;
        ScenarioLocation where;
    };

    /// A call of an extra method the simulator declares in its meta.
    struct ExtraMethodCall {
        std::string sim;
        std::string method;
        JsonArray args;
        JsonObject kwargs;
        /// Called once this many entity groups (in file order) are created: 0 before any.
        std::size_t after_entities = 0;
        ScenarioLocation where;
    };

    /// Reads and validates the scenario file at `path`. Relative paths in it resolve against
    /// the file's directory. Throws ScenarioError for an invalid scenario (naming the file, the
    /// line and column, the JSON path and the problem) and ConfigError if the file cannot be read.
    [[nodiscard]] static Scenario load(const std::filesystem::path& path, const ScenarioOptions& options = {});
    /// Validates scenario text; `origin` names it in messages, and its directory is the
    /// scenario's directory (the current directory for a bare name). Throws as load().
    [[nodiscard]] static Scenario parse(std::string_view text, const std::string& origin,
                                        const ScenarioOptions& options = {});

    /// The file name given to load() or parse().
    [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
    /// The absolute directory `${scenario_dir}` and relative paths refer to.
    [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }
    [[nodiscard]] const std::string& description() const noexcept { return description_; }

    [[nodiscard]] const std::vector<SimConfig>& sim_configs() const noexcept { return sim_configs_; }
    /// The sim_config entry `name`; every Sim's name has one. Throws ConfigError for another.
    [[nodiscard]] const SimConfig& sim_config(std::string_view name) const;
    [[nodiscard]] const WorldOptions& world() const noexcept { return world_; }
    [[nodiscard]] const std::vector<Sim>& sims() const noexcept { return sims_; }
    [[nodiscard]] const std::vector<Entities>& entities() const noexcept { return entities_; }
    [[nodiscard]] const std::vector<Connection>& connections() const noexcept { return connections_; }
    [[nodiscard]] const std::vector<InitialEvent>& initial_events() const noexcept { return initial_events_; }
    [[nodiscard]] const std::vector<ExtraMethodCall>& extra_method_calls() const noexcept {
        return extra_method_calls_;
    }
    /// The end of the simulation (exclusive), > 0.
    [[nodiscard]] std::int64_t until() const noexcept { return until_; }
    [[nodiscard]] const ScenarioLocation& until_where() const noexcept { return until_where_; }

private:
    friend class ScenarioReader;
    Scenario() = default;

    std::string origin_;
    std::filesystem::path directory_;
    std::string description_;
    std::vector<SimConfig> sim_configs_;
    WorldOptions world_;
    std::vector<Sim> sims_;
    std::vector<Entities> entities_;
    std::vector<Connection> connections_;
    std::vector<InitialEvent> initial_events_;
    std::vector<ExtraMethodCall> extra_method_calls_;
    std::int64_t until_ = 0;
    ScenarioLocation until_where_;
};

}  // namespace mas::mosaik
