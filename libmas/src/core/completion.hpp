#pragma once
// Completion<Args...>: stores one Asio completion handler of signature void(Args...) so that an
// operation started with async_initiate can be finished later by another coroutine (a reply
// arriving, a queue getting space). Asio 1.22 has no any_completion_handler, hence this.
//
// Like Asio's own pending operations, a stored handler is destroyed when its io_context shuts
// down. Without that, a suspended coroutine whose handler is stored inside the object the
// coroutine keeps alive (a channel waiting on its own pipe) would never be freed.

#include <memory>
#include <optional>
#include <tuple>
#include <utility>

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/execution_context.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/query.hpp>

namespace mas::detail {

/// A stored handler that the shutdown of its execution context can destroy.
class PendingHandler {
public:
    virtual ~PendingHandler() = default;
    /// Gives up the handler without calling it; the returned object destroys it. Handing it out
    /// lets the caller destroy it after it no longer touches this object, because destroying a
    /// coroutine frame may destroy the owner of this PendingHandler.
    virtual std::shared_ptr<void> abandon() noexcept = 0;

    PendingHandler* prev = nullptr;
    PendingHandler* next = nullptr;
    class Registry* registry = nullptr;
};

/// Per-execution-context list of stored handlers, destroyed at shutdown.
class Registry : public asio::execution_context::service {
public:
    using key_type = Registry;
    static asio::execution_context::id id;

    explicit Registry(asio::execution_context& context);
    void add(PendingHandler* handler) noexcept;
    void remove(PendingHandler* handler) noexcept;
    void shutdown() override;

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// The registry of the context a handler's executor belongs to.
template <class Executor>
Registry& registry_of(const Executor& executor) {
    return asio::use_service<Registry>(asio::query(executor, asio::execution::context));
}

template <class... Args>
class Completion {
public:
    Completion() = default;

    template <class Handler>
    explicit Completion(Handler&& handler)
        : impl_(std::make_unique<Impl<std::decay_t<Handler>>>(std::forward<Handler>(handler), nullptr, true)) {}

    /// For hot paths: `registry` must be the one of the handler's executor (saves a service
    /// look-up), and `track_work` may be false when something else is known to keep the
    /// io_context from running out of work while this waits (a channel's pending read does).
    template <class Handler>
    Completion(Handler&& handler, Registry& registry, bool track_work)
        : impl_(std::make_unique<Impl<std::decay_t<Handler>>>(std::forward<Handler>(handler), &registry,
                                                              track_work)) {}

    explicit operator bool() const noexcept { return impl_ && impl_->alive(); }

    /// Finishes the operation. The handler always runs through a post to its own executor, never
    /// inline, so completing from inside another handler cannot recurse into the waiter.
    void complete(Args... args) {
        if (!impl_) return;
        auto impl = std::move(impl_);
        impl->post(false, std::move(args)...);
    }

    /// Finishes the operation, running the handler at once if the caller is on the handler's
    /// executor. Saves a trip through the scheduler on hot paths; the caller must be ready for
    /// the waiter to run (and, say, call back into it) before this returns.
    void complete_inline(Args... args) {
        if (!impl_) return;
        auto impl = std::move(impl_);
        impl->post(true, std::move(args)...);
    }

private:
    struct Base : PendingHandler {
        virtual void post(bool inline_allowed, Args... args) = 0;
        virtual bool alive() const noexcept = 0;
    };

    template <class Handler>
    struct Impl final : Base {
        Impl(Handler&& h, Registry* known, bool track_work)
            : handler(std::make_unique<Handler>(std::move(h))), executor(asio::get_associated_executor(*handler)) {
            if (track_work) work.emplace(executor);
            (known ? *known : registry_of(executor)).add(this);
        }
        ~Impl() override {
            if (this->registry) this->registry->remove(this);
        }
        bool alive() const noexcept override { return handler != nullptr; }
        std::shared_ptr<void> abandon() noexcept override {
            work.reset();
            return std::shared_ptr<void>(handler.release(), [](void* h) { delete static_cast<Handler*>(h); });
        }
        void post(bool inline_allowed, Args... args) override {
            if (!handler) return;  // abandoned at shutdown
            asio::get_associated_cancellation_slot(*handler).clear();
            auto call = [h = std::move(*handler), guard = std::move(work),
                         tuple = std::make_tuple(std::move(args)...)]() mutable {
                std::apply(std::move(h), std::move(tuple));
            };
            handler.reset();
            work.reset();
            if (inline_allowed) {
                asio::dispatch(executor, std::move(call));
            } else {
                asio::post(executor, std::move(call));
            }
        }
        std::unique_ptr<Handler> handler;
        asio::associated_executor_t<Handler> executor;
        std::optional<asio::executor_work_guard<asio::associated_executor_t<Handler>>> work;
    };

    std::unique_ptr<Base> impl_;
};

}  // namespace mas::detail
