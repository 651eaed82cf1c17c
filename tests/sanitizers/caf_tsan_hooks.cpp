// Shows ThreadSanitizer how CAF hands messages and actors between threads.
// Debian's libcaf is not built with TSan, so the atomics of its lock-free
// mailboxes are invisible: every message read by its receiver, and every
// actor resumed on another scheduler thread than last time, looked like a
// race. Linked (TSan builds only) ahead of libcaf_core, these definitions
// take the place of CAF's own for every caller, tell TSan what CAF's
// atomics order (release when a message is enqueued and when an actor has
// handled one, acquire when it takes one) and call CAF's originals.

#include <dlfcn.h>

#include <atomic>

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

/// Takes one off CAF's `count` unless it is the last one (true if taken),
/// as libcaf does: uninstrumented, like libcaf's own accesses. TSan would
/// see an instrumented one race with the free that another thread may
/// make right after; the release before it and the acquire after the last
/// one (`last_reference`) carry the order instead.
__attribute__((no_sanitize("thread"))) bool
taken_unless_last(std::atomic<size_t>& count) {
  static_assert(sizeof(std::atomic<size_t>) == sizeof(size_t));
  auto* n_at = reinterpret_cast<size_t*>(&count);
  auto n = __atomic_load_n(n_at, __ATOMIC_ACQUIRE);
  while (n > 1)
    if (__atomic_compare_exchange_n(n_at, &n, n - 1, true, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
      return true;
  return false;
}

/// Drops a reference to `x` (one of `count`) unless it is the last, the
/// way CAF's own release functions do, and then returns false. For the
/// last one it drops nothing and returns true, and CAF's function (which
/// frees `x`) is to follow: the thread that frees `x` comes after every
/// thread that dropped a reference before. (An acquire before CAF's own
/// decrement was not enough: between the two, another thread could
/// release and decrement, and the freeing thread had not seen that
/// release. Under load TSan reported a session's destructor against a
/// line that had sent to it just before dropping its handle.)
bool last_reference(const void* x, std::atomic<size_t>& count) {
  __tsan_release(const_cast<void*>(x));
  if (taken_unless_last(count))
    return false;
  // The only holder left: every other one released before it decremented.
  __tsan_acquire(const_cast<void*>(x));
  return true;
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
  if (last_reference(x, x->strong_refs))
    f(x);
}

void intrusive_ptr_release_weak(actor_control_block* x) {
  using fn = void (*)(actor_control_block*);
  static auto f = original<fn>(
      "_ZN3caf26intrusive_ptr_release_weakEPNS_19actor_control_blockE");
  if (last_reference(x, x->weak_refs))
    f(x);
}

void ref_counted::deref() const noexcept {
  using fn = void (*)(const ref_counted*);
  static auto f = original<fn>("_ZNK3caf11ref_counted5derefEv");
  if (last_reference(this, rc_))
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

// Not `scheduled_actor::resume`: the scheduler calls it through the
// `resumable` base, whose vtable entry is a thunk inside libcaf_core that
// jumps straight to CAF's own definition, so a hook there never runs. And
// a release on its return would come too late anyway: inside it the actor
// blocks its mailbox, and a sender may then schedule it on another worker
// before this one returns. A release after each message, before CAF
// looks for the next one, orders an actor's runs on any threads.
intrusive::task_result
scheduled_actor::mailbox_visitor::operator()(mailbox_element& x) {
  using fn = intrusive::task_result (*)(mailbox_visitor*, mailbox_element&);
  static auto f = original<fn>(
      "_ZN3caf15scheduled_actor15mailbox_visitorclERNS_15mailbox_elementE");
  // What its sender made, and what the actor did in its runs before.
  __tsan_acquire(self);
  auto result = f(this, x);
  // For its next message, whichever worker takes it.
  __tsan_release(self);
  return result;
}

bool scheduled_actor::activate(execution_unit* ctx) {
  using fn = bool (*)(scheduled_actor*, execution_unit*);
  static auto f =
      original<fn>("_ZN3caf15scheduled_actor8activateEPNS_14execution_unitE");
  // Each run begins here: after the actor's runs before, on any thread.
  __tsan_acquire(this);
  auto result = f(this, ctx);
  // The first run initializes the actor here (its behavior), and may then
  // find no message and block: its next run may be on another worker.
  __tsan_release(this);
  return result;
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
