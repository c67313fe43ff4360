# bench/storage: MVCC vs raw RocksDB throughput, side by side in one run.
if(TARGET mice_storage)
  add_executable(bench_storage ${CMAKE_SOURCE_DIR}/bench/storage/bench_storage.c)
  target_link_libraries(bench_storage PRIVATE mice_storage)
  set_target_properties(bench_storage PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
