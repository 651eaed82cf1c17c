# The sanitizer modes of `./tether.sh test`, sourced by tether.sh with its
# flag; from a shell, for one test at a time:
#   . tests/sanitizers/env.sh --sanitize && ctest --test-dir build-asan -R NAME
#   --sanitize  ASan+UBSan in build-asan: any report fails the test
#   --tsan      TSan in build-tsan, every test node with 2 I/O and 2 actor
#               threads (TETHER_TEST_THREADS, read by tests/support)
# Every report halts its process: in a test binary that fails the test, in
# a child tether-node it ends the node, which fails the test using it.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case "${1:-}" in
  --sanitize)
    BUILD_DIR=build-asan
    CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTETHER_SANITIZE=address)
    export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1
    export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan.supp
    ;;
  --tsan)
    BUILD_DIR=build-tsan
    CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTETHER_SANITIZE=thread)
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$here/tsan.supp
    export TETHER_TEST_THREADS=2
    ;;
  *)
    echo "usage: ./tether.sh test [--sanitize | --tsan]" >&2
    exit 2
    ;;
esac
