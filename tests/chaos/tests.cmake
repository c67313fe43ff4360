# Chaos tests (tests/chaos/README.md), included by cmake/tests.cmake.
#   chaos/checker      the linearizability checker on synthetic histories (always; seconds)
#   chaos/single_node  run.py against one real micedb with kill -9 + restart and SIGSTOP,
#                      plus planted stale-read / lost-write runs that must fail (always)
#   chaos/fake_cluster the harness's multi-node paths (--join, init, ranges, leaseholder
#                      kills, bench/failover) against fake_micedb.py nodes (always)
#   chaos/netns        namespaces, veths, iptables partitions, tc, cleanup, with standalone
#                      nodes (only when configured as root with ip and iptables)
#   chaos/short        3 nodes on loopback, ~60 s of faults, linearizability checked; only
#                      once the multi-node cluster is wired: registered when the CLI's help
#                      text (src/cli/*.c, what `micedb --help` prints) mentions --join.
# Long runs: `make chaos`.
set(chaos_dir ${CMAKE_SOURCE_DIR}/tests/chaos)
set(chaos_env "MICEDB_BIN=$<TARGET_FILE:micedb>;MICE_TEST_TMP=${CMAKE_BINARY_DIR}/testtmp")

add_test(NAME chaos/checker
         COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${chaos_dir}/test_linearizability.py
         WORKING_DIRECTORY ${chaos_dir})
set_tests_properties(chaos/checker PROPERTIES TIMEOUT 120)

add_test(NAME chaos/single_node
         COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${chaos_dir}/test_single_node.py
         WORKING_DIRECTORY ${chaos_dir})
set_tests_properties(chaos/single_node PROPERTIES TIMEOUT 600 ENVIRONMENT "${chaos_env}")

add_test(NAME chaos/fake_cluster
         COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${chaos_dir}/test_fake_cluster.py
         WORKING_DIRECTORY ${chaos_dir})
set_tests_properties(chaos/fake_cluster PROPERTIES TIMEOUT 600 ENVIRONMENT "${chaos_env}")

execute_process(COMMAND id -u OUTPUT_VARIABLE chaos_uid OUTPUT_STRIP_TRAILING_WHITESPACE)
find_program(CHAOS_IP ip PATHS /usr/sbin /sbin)
find_program(CHAOS_IPTABLES iptables PATHS /usr/sbin /sbin)
if(chaos_uid STREQUAL "0" AND CHAOS_IP AND CHAOS_IPTABLES)
  add_test(NAME chaos/netns
           COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${chaos_dir}/test_netns.py
           WORKING_DIRECTORY ${chaos_dir})
  set_tests_properties(chaos/netns PROPERTIES TIMEOUT 300 ENVIRONMENT "${chaos_env}"
    RUN_SERIAL TRUE)
endif()

file(GLOB chaos_cli_sources ${CMAKE_SOURCE_DIR}/src/cli/*.c)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${chaos_cli_sources})
set(chaos_cluster_wired FALSE)
foreach(f ${chaos_cli_sources})
  file(STRINGS ${f} hits REGEX "\"--join")
  if(hits)
    set(chaos_cluster_wired TRUE)
  endif()
endforeach()
if(chaos_cluster_wired)
  add_test(NAME chaos/short
           COMMAND /usr/bin/python3 ${chaos_dir}/run.py --nodes 3 --loopback --duration 60 --seed 1)
  set_tests_properties(chaos/short PROPERTIES TIMEOUT 600 ENVIRONMENT "${chaos_env}")
endif()
