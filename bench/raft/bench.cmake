# bench/raft: committed proposals per second in the deterministic simulator, with batching
# and pipelining on vs off, and messages per committed entry. Reuses the simulator's
# sources (tests/sim) without its command line.
if(TARGET mice_raft AND EXISTS ${CMAKE_SOURCE_DIR}/src/raft/raft.h)
  file(GLOB bench_raft_sim_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/sim/*.c)
  list(FILTER bench_raft_sim_srcs EXCLUDE REGEX "/(test_[^/]*|main)\\.c$")
  add_executable(bench_raft ${CMAKE_SOURCE_DIR}/bench/raft/bench_raft.c ${bench_raft_sim_srcs})
  target_link_libraries(bench_raft PRIVATE mice_raft mice_base)
  target_include_directories(bench_raft PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  set_target_properties(bench_raft PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
