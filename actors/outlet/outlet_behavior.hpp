#pragma once

#include <utility>

#include <caf/system_messages.hpp>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// The behavior of an actor that writes through an outlet: the handlers of
/// `outlet_actor`, which the connection and the line answer alike, and the
/// down handler, followed by the owner's own handlers. Every handler that
/// may write ends with the state's `end_of_handler()`, so that its output
/// joins one WebSocket message. The state provides `on_answer`,
/// `on_push(codec::signal&&)`, `on_call`, `on_credit`, `on_stall`,
/// `on_drain`, `on_grace`, `on_down`, `out()` and `end_of_handler()`.
template <class Actor, class Pointer, class... Handlers>
typename Actor::behavior_type outlet_behavior(Pointer self, Handlers... own) {
  auto done = [self] { self->state.end_of_handler(); };
  self->set_down_handler([self, done](caf::down_msg& msg) {
    self->state.on_down(msg);
    done();
  });
  return {
      [self, done](codec::reply& x) {
        self->state.on_answer(std::move(x));
        done();
      },
      [self, done](codec::error& x) {
        self->state.on_answer(std::move(x));
        done();
      },
      [self, done](codec::retry& x) {
        self->state.on_answer(std::move(x));
        done();
      },
      [self, done](codec::result_part& x) {
        self->state.on_answer(std::move(x));
        done();
      },
      [self, done](codec::signal& x) {
        self->state.on_push(std::move(x));
        done();
      },
      [self, done](codec::request& x) {
        auto result = self->state.on_call(std::move(x));
        done();
        return result;
      },
      [self](credit_atom, uint64_t wanted) {
        return self->state.on_credit(wanted);
      },
      [self](flush_atom) { self->state.out().on_flush(); },
      [self, done](stall_atom, uint64_t epoch) {
        self->state.on_stall(epoch);
        done();
      },
      [self, done](drain_atom) {
        self->state.on_drain();
        done();
      },
      [self, done](grace_atom) {
        self->state.on_grace();
        done();
      },
      std::move(own)...,
  };
}

} // namespace tether
