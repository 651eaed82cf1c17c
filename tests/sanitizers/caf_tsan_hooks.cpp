// Shows ThreadSanitizer how CAF hands messages and actors between threads.
// Debian's libcaf is not built with TSan, so the atomics of its lock-free
// mailboxes are invisible: every message read by its receiver, and every
// actor resumed on another scheduler thread than last time, looked like a
// race. Linked (TSan builds only) ahead of libcaf_core, these definitions
// take the place of CAF's own for every caller, tell TSan what CAF's
// atomics order (release when a message is enqueued, acquire when an actor
// runs or takes a message) and call CAF's originals.

#include <dlfcn.h>

#include <caf/actor_control_block.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/memory_managed.hpp>
#include <caf/ref_counted.hpp>
#include <caf/scheduled_actor.hpp>

extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);

namespace {

/// CAF's own definition of `symbol` (the next one after ours).
template <class F> F original(const char* symbol) {
  auto f = reinterpret_cast<F>(dlsym(RTLD_NEXT, symbol));
  if (f == nullptr)
    abort(); // A CAF that lacks it is not the 0.17 these hooks are for.
  return f;
}

/// Before CAF drops a reference to `x`: whichever thread drops the last
/// one (and frees it) comes after every thread that dropped one before.
/// (Acquiring before the decrement, not after it: a thread may free `x`
/// without seeing a release made between its acquire and its decrement,
/// which takes a preemption within a few instructions.)
void dropping_reference(const void* x) {
  __tsan_release(const_cast<void*>(x));
  __tsan_acquire(const_cast<void*>(x));
}

/// `x` is handed to `receiver`: what the sender made before is seen by
/// the receiver's thread, and by whichever thread frees the message's
/// contents (possibly unread, when the receiver has ended).
void handing_over(void* receiver, const caf::mailbox_element_ptr& x) {
  // The contents' address first: reading it after the release would race
  // with the receiver freeing them.
  auto* contents =
      x ? const_cast<void*>(dynamic_cast<const void*>(&x->content())) : nullptr;
  // The element as `memory_managed::request_deletion` sees it (an upcast:
  // no vtable read), for the thread that deletes it.
  auto* element = static_cast<caf::memory_managed*>(x.get());
  __tsan_release(receiver);
  if (contents != nullptr)
    __tsan_release(contents);
  if (element != nullptr)
    __tsan_release(element);
}

} // namespace

namespace caf {

void intrusive_ptr_release(actor_control_block* x) {
  using fn = void (*)(actor_control_block*);
  static auto f =
      original<fn>("_ZN3caf21intrusive_ptr_releaseEPNS_19actor_control_blockE");
  dropping_reference(x);
  f(x);
}

void intrusive_ptr_release_weak(actor_control_block* x) {
  using fn = void (*)(actor_control_block*);
  static auto f = original<fn>(
      "_ZN3caf26intrusive_ptr_release_weakEPNS_19actor_control_blockE");
  dropping_reference(x);
  f(x);
}

void ref_counted::deref() const noexcept {
  using fn = void (*)(const ref_counted*);
  static auto f = original<fn>("_ZNK3caf11ref_counted5derefEv");
  dropping_reference(this);
  f(this);
}

void memory_managed::request_deletion(bool decremented_rc) const noexcept {
  using fn = void (*)(const memory_managed*, bool);
  static auto f = original<fn>("_ZNK3caf14memory_managed16request_deletionEb");
  // A mailbox element is deleted here, read or not (an actor that ends
  // deletes what its mailbox still holds): after its sender made it
  // (`handing_over` released it at this address).
  __tsan_acquire(const_cast<memory_managed*>(this));
  f(this, decremented_rc);
}

void scheduled_actor::enqueue(mailbox_element_ptr ptr, execution_unit* eu) {
  using fn = void (*)(scheduled_actor*, mailbox_element_ptr, execution_unit*);
  static auto f = original<fn>(
      "_ZN3caf15scheduled_actor7enqueueESt10unique_ptrINS_15mailbox_"
      "elementENS_6detail8disposerEEPNS_14execution_unitE");
  handing_over(this, ptr);
  f(this, std::move(ptr), eu);
}

resumable::resume_result scheduled_actor::resume(execution_unit* eu,
                                                 size_t max_throughput) {
  using fn = resume_result (*)(scheduled_actor*, execution_unit*, size_t);
  static auto f = original<fn>("_ZN3caf15scheduled_actor6resumeEPNS_"
                               "14execution_unitEm");
  __tsan_acquire(this);
  auto result = f(this, eu, max_throughput);
  // The next resume may come on another thread.
  __tsan_release(this);
  return result;
}

intrusive::task_result
scheduled_actor::mailbox_visitor::operator()(mailbox_element& x) {
  using fn = intrusive::task_result (*)(mailbox_visitor*, mailbox_element&);
  static auto f = original<fn>(
      "_ZN3caf15scheduled_actor15mailbox_visitorclERNS_15mailbox_elementE");
  // A message that came while the actor ran.
  __tsan_acquire(self);
  return f(this, x);
}

void scheduled_actor::launch(execution_unit* eu, bool lazy, bool hide) {
  using fn = void (*)(scheduled_actor*, execution_unit*, bool, bool);
  static auto f =
      original<fn>("_ZN3caf15scheduled_actor6launchEPNS_14execution_unitEbb");
  // What the spawner made before the actor's first run.
  __tsan_release(this);
  f(this, eu, lazy, hide);
}

void blocking_actor::enqueue(mailbox_element_ptr ptr, execution_unit* eu) {
  using fn = void (*)(blocking_actor*, mailbox_element_ptr, execution_unit*);
  static auto f = original<fn>(
      "_ZN3caf14blocking_actor7enqueueESt10unique_ptrINS_15mailbox_"
      "elementENS_6detail8disposerEEPNS_14execution_unitE");
  handing_over(this, ptr);
  f(this, std::move(ptr), eu);
}

void blocking_actor::receive_impl(receive_cond& rcc, message_id mid,
                                  detail::blocking_behavior& bhvr) {
  using fn = void (*)(blocking_actor*, receive_cond&, message_id,
                      detail::blocking_behavior&);
  static auto f = original<fn>(
      "_ZN3caf14blocking_actor12receive_implERNS0_12receive_condENS_"
      "10message_idERNS_6detail17blocking_behaviorE");
  __tsan_acquire(this);
  f(this, rcc, mid, bhvr);
}

void blocking_actor::await_data() {
  using fn = void (*)(blocking_actor*);
  static auto f = original<fn>("_ZN3caf14blocking_actor10await_dataEv");
  f(this);
  __tsan_acquire(this);
}

bool blocking_actor::await_data(timeout_type timeout) {
  using fn = bool (*)(blocking_actor*, timeout_type);
  static auto f = original<fn>(
      "_ZN3caf14blocking_actor10await_dataENSt6chrono10time_pointINS1_"
      "3_V212system_clockENS1_8durationIlSt5ratioILl1ELl1000000000EEEEEE");
  auto result = f(this, timeout);
  __tsan_acquire(this);
  return result;
}

} // namespace caf
