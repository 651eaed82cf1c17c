# CAF 0.17 ships no CMake package: its headers and libraries are found by
# hand, here for Tether's build and for projects using the installed Tether.
if(NOT TARGET CAF::core)
  find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
  foreach(part core io openssl)
    find_library(CAF_${part}_LIBRARY caf_${part} REQUIRED)
    add_library(CAF::${part} UNKNOWN IMPORTED)
    set_target_properties(CAF::${part} PROPERTIES
      IMPORTED_LOCATION ${CAF_${part}_LIBRARY}
      INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR})
  endforeach()
  set_property(TARGET CAF::core APPEND PROPERTY
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
