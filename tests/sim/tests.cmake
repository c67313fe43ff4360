# Deterministic simulation (tests/sim/README.md). Included by cmake/tests.cmake.
#   test_*.c      cmocka unit tests of the simulator's parts (the linearizability checker),
#                 ctest entries sim/<name>
#   everything else builds build/micedb-sim, which needs the raft library
set(MICE_SIM_DIR ${CMAKE_SOURCE_DIR}/tests/sim)
# The plain build checks 300 seeds; sanitizer builds (3-10x slower, and there to find
# memory and thread errors rather than protocol bugs) check the first 100.
if(MICE_SANITIZE)
  set(MICE_SIM_SEEDS 1-100)
  set(MICE_SIM_SEED_COUNT 100)
else()
  set(MICE_SIM_SEEDS 1-300)
  set(MICE_SIM_SEED_COUNT 300)
endif()
set(MICE_SIM_CHECKER ${MICE_SIM_DIR}/linz.c)

file(GLOB sim_unit_tests CONFIGURE_DEPENDS ${MICE_SIM_DIR}/test_*.c)
foreach(t ${sim_unit_tests})
  get_filename_component(stem ${t} NAME_WE)
  string(REGEX REPLACE "^test_" "" mod ${stem})
  add_executable(test_sim_${mod} ${t} ${MICE_SIM_CHECKER})
  target_link_libraries(test_sim_${mod} PRIVATE mice_base PkgConfig::CMOCKA)
  target_include_directories(test_sim_${mod} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  set_target_properties(test_sim_${mod} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME sim/${mod} COMMAND test_sim_${mod})
  set_tests_properties(sim/${mod} PROPERTIES TIMEOUT ${MICE_TEST_TIMEOUT_S})
endforeach()

if(TARGET mice_raft AND EXISTS ${CMAKE_SOURCE_DIR}/src/raft/raft.h)
  file(GLOB sim_srcs CONFIGURE_DEPENDS ${MICE_SIM_DIR}/*.c)
  list(FILTER sim_srcs EXCLUDE REGEX "/test_[^/]*\\.c$")
  add_executable(micedb-sim ${sim_srcs})
  target_link_libraries(micedb-sim PRIVATE mice_raft mice_base)
  target_include_directories(micedb-sim PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  set_target_properties(micedb-sim PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

  add_test(NAME sim/raft_seeds COMMAND micedb-sim raft --seeds ${MICE_SIM_SEEDS})
  set_tests_properties(sim/raft_seeds PROPERTIES TIMEOUT 300
    PASS_REGULAR_EXPRESSION "${MICE_SIM_SEED_COUNT} seeds, 0 violations")
  # The same seed must print the same bytes twice.
  add_test(NAME sim/raft_determinism COMMAND micedb-sim raft --seed 7 --self-check-determinism)
  set_tests_properties(sim/raft_determinism PROPERTIES TIMEOUT 120)
  # Each planted bug must be caught within the seeds: exit 0 only if a violation was found.
  foreach(canary vote_without_log_check commit_old_term_by_count lease_without_drift
                 apply_before_persist read_index_no_quorum)
    add_test(NAME sim/canary_${canary}
      COMMAND micedb-sim raft --seeds ${MICE_SIM_SEEDS} --canary ${canary} --expect-violation)
    set_tests_properties(sim/canary_${canary} PROPERTIES TIMEOUT 300)
  endforeach()
endif()
