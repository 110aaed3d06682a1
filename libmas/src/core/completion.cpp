#include "core/completion.hpp"

#include <mutex>

namespace mas::detail {

asio::execution_context::id Registry::id;

// Handlers are added and removed from the threads of their own context, but a LocalQueue peer
// on another context can destroy one, hence the lock.
namespace {
struct Sentinel final : PendingHandler {
    std::shared_ptr<void> abandon() noexcept override { return nullptr; }
};
}  // namespace

struct Registry::State {
    std::mutex mutex;
    Sentinel head;  // of a circular list
    State() { head.prev = head.next = &head; }
};

Registry::Registry(asio::execution_context& context)
    : asio::execution_context::service(context), state_(std::make_unique<State>()) {}

void Registry::add(PendingHandler* handler) noexcept {
    std::lock_guard lock(state_->mutex);
    handler->registry = this;
    handler->prev = state_->head.prev;
    handler->next = &state_->head;
    state_->head.prev->next = handler;
    state_->head.prev = handler;
}

void Registry::remove(PendingHandler* handler) noexcept {
    std::lock_guard lock(state_->mutex);
    if (handler->registry != this) return;
    handler->prev->next = handler->next;
    handler->next->prev = handler->prev;
    handler->registry = nullptr;
}

void Registry::shutdown() {
    // One at a time: destroying a handler can destroy other stored handlers, which then leave
    // the list through remove() before we get to them.
    for (;;) {
        std::shared_ptr<void> doomed;
        {
            std::lock_guard lock(state_->mutex);
            PendingHandler* first = state_->head.next;
            if (first == &state_->head) return;
            first->prev->next = first->next;
            first->next->prev = first->prev;
            first->registry = nullptr;
            doomed = first->abandon();
        }
        doomed.reset();  // outside the lock: it may call remove()
    }
}

}  // namespace mas::detail
