#pragma once

#include <csignal>

namespace plinth::server {

// SignalWaiter turns SIGTERM and SIGINT into an ordinary return value.
// Construct it on the main thread BEFORE starting any other thread: it blocks
// both signals in the calling thread, and threads created afterwards inherit
// the mask, so only Wait() ever sees them. Not thread-safe; one per process.
class SignalWaiter {
 public:
  SignalWaiter();
  ~SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Blocks until SIGTERM or SIGINT arrives; returns the signal number.
  int Wait();

 private:
  sigset_t set_;
  sigset_t old_;
};

}  // namespace plinth::server
