#pragma once
/// \file
/// run_simulator: the whole `main` of a simulator executable that mosaik starts or connects to.

#include <functional>
#include <memory>

#include "mas/mosaik/simulator.hpp"

namespace mas::mosaik {

/// Creates the simulator to serve.
using SimulatorFactory = std::function<std::unique_ptr<Simulator>()>;

/// Parses mosaik_api_v3's command line `[-r] [-t SECONDS] [-l LEVEL] HOST:PORT`: connects to mosaik
/// at HOST:PORT (mosaik's `cmd` starter), or with `-r/--remote` listens there and waits up to
/// `-t/--timeout` seconds (default 60) for mosaik to connect (mosaik's `connect` starter). Logs to
/// stderr at `-l/--log-level` (default info). Serves the simulator until mosaik's `stop`. With
/// `--remote`, `--tls-ca`, `--tls-cert` and `--tls-key` (all three; a libmas extension) make the
/// server mutual TLS: only a client with a certificate signed by that CA is served, the way an
/// orchestrator with a `"tls"` sim_config entry connects.
/// Returns the exit code: 0 after a clean stop; 1 if a request failed before the stop, if mosaik
/// went away, or on any other error (printed as one line `<name>: error: <reason>` on stderr);
/// 2 for bad arguments. Call it from `main` and return its result.
int run_simulator(int argc, char** argv, const SimulatorFactory& factory);

}  // namespace mas::mosaik
