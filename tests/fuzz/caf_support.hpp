#pragma once

// One CAF actor system per fuzzing process, for the targets that go
// through actors. Made on first use and never destroyed: libFuzzer ends
// the process with `exit`, and an actor system torn down then would wait
// for actors some input left behind.

#include <cstddef>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <openssl/crypto.h>

namespace tether::fuzz {

inline caf::actor_system& actor_system() {
  static caf::actor_system* sys = [] {
    // Those actors may still draw random bytes (a room's id) while the
    // process exits: OpenSSL's own exit handler would free its locks under
    // them (a SEGV after the last input, reported as a crash).
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
    auto* cfg = new caf::actor_system_config;
    // One worker: the fuzzer's own thread waits on it anyway.
    cfg->set("scheduler.max-threads", size_t{1});
    return new caf::actor_system{*cfg};
  }();
  return *sys;
}

} // namespace tether::fuzz
