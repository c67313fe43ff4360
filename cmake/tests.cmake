# Unit tests: tests/<layer>/test_<module>.c -> executable test_<layer>_<module>, ctest entry
# named <layer>/<module>, linked with that layer's library (and cmocka). Each runs in its
# own process with a timeout. Extra sources a test needs live in tests/<layer>/support/.
set(MICE_TEST_TIMEOUT_S 300)
foreach(layer base storage raft rpc kv txn sql server cli)
  if(NOT TARGET mice_${layer} AND NOT layer STREQUAL "cli")
    continue()
  endif()
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${layer}/test_*.c)
  file(GLOB support CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${layer}/support/*.c)
  set(lib mice_${layer})
  if(layer STREQUAL "cli")
    set(lib ${MICE_TOP_LIBS})
  endif()
  foreach(t ${tests})
    get_filename_component(stem ${t} NAME_WE)
    string(REGEX REPLACE "^test_" "" mod ${stem})
    add_executable(test_${layer}_${mod} ${t} ${support})
    target_link_libraries(test_${layer}_${mod} PRIVATE ${lib} PkgConfig::CMOCKA)
    target_include_directories(test_${layer}_${mod} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
    set_target_properties(test_${layer}_${mod} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    add_test(NAME ${layer}/${mod} COMMAND test_${layer}_${mod})
    set_tests_properties(${layer}/${mod} PROPERTIES TIMEOUT ${MICE_TEST_TIMEOUT_S}
      ENVIRONMENT "MICE_TEST_TMP=${CMAKE_BINARY_DIR}/testtmp")
  endforeach()
endforeach()

# Fuzz targets: tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput and names its layer
# in a first-line comment "// layer: <layer>". In every build they link with a replay driver
# (tests/fuzz/driver.c) that runs the stored corpus plus seeded random inputs, so ctest
# keeps them honest; with MICE_FUZZ=ON (clang) they also build as real libFuzzer binaries.
file(GLOB fuzzers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(f ${fuzzers})
  get_filename_component(stem ${f} NAME_WE)
  file(STRINGS ${f} first LIMIT_COUNT 1)
  string(REGEX REPLACE "^// layer: *" "" flayer "${first}")
  if(NOT TARGET mice_${flayer})
    continue()
  endif()
  add_executable(${stem}_replay ${f} ${CMAKE_SOURCE_DIR}/tests/fuzz/driver.c)
  target_link_libraries(${stem}_replay PRIVATE mice_${flayer})
  set_target_properties(${stem}_replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME fuzz/${stem} COMMAND ${stem}_replay ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${stem})
  set_tests_properties(fuzz/${stem} PROPERTIES TIMEOUT ${MICE_TEST_TIMEOUT_S})
  if(MICE_FUZZ)
    add_executable(${stem} ${f})
    target_compile_options(${stem} PRIVATE -fsanitize=fuzzer)
    target_link_options(${stem} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${stem} PRIVATE mice_${flayer})
    set_target_properties(${stem} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  endif()
endforeach()

# Real-process tests (tests/e2e, tests/chaos) register themselves from their own cmake file.
foreach(dir e2e sim chaos slt)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/${dir}/tests.cmake)
    include(${CMAKE_SOURCE_DIR}/tests/${dir}/tests.cmake)
  endif()
endforeach()
include(${CMAKE_SOURCE_DIR}/tests/e2e/pgfake.cmake)
include(${CMAKE_SOURCE_DIR}/tests/e2e/clients/clients.cmake)
