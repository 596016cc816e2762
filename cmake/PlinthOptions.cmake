# Compiler settings shared by every Plinth target, and two helpers:
#   plinth_layer(<name> SOURCES ... DEPS ...)  one static library per src/<layer>/
#   plinth_test(<name> SOURCES ... DEPS ...)   one GoogleTest binary per layer

# lld links the test binaries several times faster than bfd.
find_program(PLINTH_LLD ld.lld)
if(PLINTH_LLD)
  add_link_options(-fuse-ld=lld)
endif()

if(PLINTH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Our own code: warnings are errors. Third-party headers come in as SYSTEM.
# -Wno-restrict: GCC 12 at -O3 reports std::string concatenation inside
# libstdc++ as overlapping memcpy (GCC bug 105329), a false positive that
# would fail `make bench`.
set(PLINTH_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion
    -Wno-sign-conversion -Wno-restrict -Werror)

function(plinth_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(plinth_${name} STATIC ${ARG_SOURCES})
  target_include_directories(plinth_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(plinth_${name} PRIVATE ${PLINTH_WARNINGS})
  target_link_libraries(plinth_${name} PUBLIC ${ARG_DEPS})
endfunction()

function(plinth_test name)
  if(NOT PLINTH_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name}_test ${ARG_SOURCES})
  target_compile_options(${name}_test PRIVATE ${PLINTH_WARNINGS})
  target_link_libraries(${name}_test PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name}_test PRIVATE
      PLINTH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name}_test)
  set_property(GLOBAL APPEND PROPERTY PLINTH_TEST_BINARIES $<TARGET_FILE:${name}_test>)
endfunction()
