// The sanitizers' defaults in every fuzz target, so that replaying an
// input by hand behaves as ./tether.sh fuzz does: UB stops the run (the
// checks stay recoverable only so that ubsan.supp can silence CAF's one
// report), with a stack trace.

extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:"
         "suppressions=" TETHER_FUZZ_UBSAN_SUPP;
}
