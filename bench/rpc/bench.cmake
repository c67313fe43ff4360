# bench/rpc: node-to-node transport throughput and call latency between two transports in
# one process over loopback, next to plain TCP moving the same bytes.
if(TARGET mice_rpc)
  add_executable(bench_rpc ${CMAKE_SOURCE_DIR}/bench/rpc/bench_rpc.c)
  target_link_libraries(bench_rpc PRIVATE mice_rpc mice_base)
  set_target_properties(bench_rpc PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
