#pragma once
// Progress of a run for the user: a bar redrawn in place when stdout is a terminal, otherwise a
// log line every tenth of the run. Whatever else is printed meanwhile starts on a line of its own.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

#include <spdlog/sinks/sink.h>

namespace mas::runner {

class Progress {
public:
    Progress(std::int64_t until, bool terminal) : until_(until), terminal_(terminal) {}
    /// The run has reached `percent` (0..100) of `until`; at 100 the bar's line is ended.
    void update(double percent);
    /// Ends the bar's line if it is open (the next update draws the bar on a new line). Call it
    /// before printing anything else on the terminal.
    void end_line();
    /// Ends the bar's line.
    void finish() { end_line(); }

private:
    std::int64_t until_;
    bool terminal_;
    int last_decile_ = -1;
    std::chrono::steady_clock::time_point last_draw_{};
    bool drawn_ = false;
    bool line_open_ = false;
};

/// A log sink that ends the line of the Progress it is given (if any) before each message, then
/// hands the message to `inner`.
class ProgressAwareSink final : public spdlog::sinks::sink {
public:
    explicit ProgressAwareSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}
    /// The progress whose line to end; nullptr for none. It must outlive its time here.
    void watch(Progress* progress);

    void log(const spdlog::details::log_msg& msg) override;
    void flush() override { inner_->flush(); }
    void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
        inner_->set_formatter(std::move(formatter));
    }

private:
    std::shared_ptr<spdlog::sinks::sink> inner_;
    std::mutex mutex_;
    Progress* progress_ = nullptr;
};

}  // namespace mas::runner
