#pragma once

#include <system_error>

#include <caf/thread_hook.hpp>

namespace tether {

/// Makes the calling thread SCHED_BATCH. A batch thread that another thread
/// wakes does not preempt the thread running on its core: when the socket
/// thread and the actor threads share a core, each then runs until it has
/// nothing left to do, and they hand each other whole batches instead of
/// switching for every message. Returns why not if the OS refuses.
std::error_code make_thread_batch();

/// `make_thread_batch`, with a warning naming the `kind` of thread (I/O,
/// actor) if the OS refuses: the node runs on, only less batched.
void make_thread_batch_or_warn(const char* kind);

/// Makes every thread of a CAF actor system SCHED_BATCH as it starts.
class batch_thread_hook : public caf::thread_hook {
 public:
  void init(caf::actor_system&) override {}
  void thread_started() override;
  void thread_terminates() override {}
};

} // namespace tether
