# TETHER_SANITIZE=address builds every target of ours with AddressSanitizer
# and UBSan, =thread with ThreadSanitizer (`./tether.sh test --sanitize`,
# `--tsan`; suppressions and options in tests/sanitizers/). Compile and
# link flags alike: the runtime must be linked into each executable.
set(TETHER_SANITIZE "" CACHE STRING
  "Sanitizers for our targets: address (ASan+UBSan), thread (TSan) or empty")
set_property(CACHE TETHER_SANITIZE PROPERTY STRINGS "" address thread)
if(TETHER_SANITIZE STREQUAL "address")
  # UB aborts the test instead of printing a line nobody reads. Null
  # checks excepted: they halt as well (UBSAN_OPTIONS=halt_on_error=1),
  # but after tests/sanitizers/ubsan.supp, which only a recoverable check
  # reads (for a CAF header's bug).
  set(tether_sanitize_flags -fsanitize=address,undefined
    -fno-sanitize-recover=undefined -fsanitize-recover=null
    -fno-omit-frame-pointer)
elseif(TETHER_SANITIZE STREQUAL "thread")
  # -Wno-tsan: TSan does not model the fences around Asio's handlers
  # (std_fenced_block), which GCC says at every handler; Asio's scheduler
  # orders handlers with a mutex, which TSan does see.
  set(tether_sanitize_flags -fsanitize=thread -fno-omit-frame-pointer)
  add_compile_options(-Wno-tsan)
elseif(TETHER_SANITIZE)
  message(FATAL_ERROR
    "TETHER_SANITIZE is address, thread or empty, not '${TETHER_SANITIZE}'")
endif()
add_compile_options(${tether_sanitize_flags})
add_link_options(${tether_sanitize_flags})
if(TETHER_SANITIZE)
  # After the build type's -O2 -g, so these win: -O1 and line tables (stacks
  # still name files, lines and inlined frames) compile in half the time,
  # and a test waits on the network more than it computes.
  add_compile_options(-O1 -g1)
  # The instrumentation makes GCC 12 see uninitialized reads that are not
  # there (in Beast's parser: boost::optional's storage); the plain build
  # keeps the warning.
  add_compile_options(-Wno-maybe-uninitialized)
endif()
if(TETHER_SANITIZE STREQUAL "thread")
  # CAF's hand-overs made visible to TSan (see the file): a shared library
  # every later target links, named among the link options too, which
  # come before the libraries, so that the loader finds its definitions
  # before libcaf_core's.
  add_library(tether_caf_tsan SHARED
    ${PROJECT_SOURCE_DIR}/tests/sanitizers/caf_tsan_hooks.cpp)
  target_compile_options(tether_caf_tsan PRIVATE -Wall -Wextra)
  target_link_libraries(tether_caf_tsan PRIVATE CAF::core ${CMAKE_DL_LIBS})
  link_libraries($<BUILD_INTERFACE:tether_caf_tsan>)
  add_link_options($<TARGET_FILE:tether_caf_tsan>)
endif()
