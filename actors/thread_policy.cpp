#include "tether/actors/thread_policy.hpp"

#include <cerrno>
#include <sched.h>

#include "tether/actors/log.hpp"

namespace tether {

std::error_code make_thread_batch() {
  sched_param param{};
  param.sched_priority = 0;
  // Linux applies this to the calling thread only, not its whole process.
  if (sched_setscheduler(0, SCHED_BATCH, &param) != 0)
    return {errno, std::generic_category()};
  return {};
}

void make_thread_batch_or_warn(const char* kind) {
  if (auto ec = make_thread_batch())
    TETHER_LOG(warning, "node",
               "an " << kind << " thread stays SCHED_OTHER: " << ec.message());
}

void batch_thread_hook::thread_started() {
  make_thread_batch_or_warn("actor");
}

} // namespace tether
