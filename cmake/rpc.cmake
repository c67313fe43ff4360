# rpc layer: node-to-node transport (DESIGN.md "One node at run time"): frames, protobuf-c
# messages, connections on the io loop. Beside storage and raft: it links only base.
#
# The messages are defined in src/rpc/proto/*.proto. protoc-c compiles them at build time
# into build/gen/rpc/proto/<name>.pb-c.{c,h} (never committed); code includes them as
# "rpc/proto/<name>.pb-c.h", and every layer that links mice_rpc sees that directory.
find_program(PROTOC_C protoc-c REQUIRED)
pkg_check_modules(RPC_PROTOBUFC REQUIRED IMPORTED_TARGET libprotobuf-c)

file(GLOB rpc_protos CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/rpc/proto/*.proto)
set(rpc_gen_dir ${CMAKE_BINARY_DIR}/gen)
set(rpc_gen_srcs)
set(rpc_gen_hdrs)
foreach(proto ${rpc_protos})
  get_filename_component(stem ${proto} NAME_WE)
  set(out_c ${rpc_gen_dir}/rpc/proto/${stem}.pb-c.c)
  set(out_h ${rpc_gen_dir}/rpc/proto/${stem}.pb-c.h)
  add_custom_command(
    OUTPUT ${out_c} ${out_h}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${rpc_gen_dir}
    COMMAND ${PROTOC_C} --proto_path=${CMAKE_SOURCE_DIR}/src --c_out=${rpc_gen_dir}
            rpc/proto/${stem}.proto
    DEPENDS ${proto}
    COMMENT "protoc-c rpc/proto/${stem}.proto"
    VERBATIM)
  list(APPEND rpc_gen_srcs ${out_c})
  list(APPEND rpc_gen_hdrs ${out_h})
endforeach()

mice_layer(rpc mice_base PkgConfig::RPC_PROTOBUFC)
if(TARGET mice_rpc)
  # A target of its own, so that every target linking mice_rpc (kv, tests) is ordered after
  # the generated headers exist.
  add_custom_target(rpc_proto_gen DEPENDS ${rpc_gen_srcs} ${rpc_gen_hdrs})
  add_dependencies(mice_rpc rpc_proto_gen)
  target_sources(mice_rpc PRIVATE ${rpc_gen_srcs})
  target_include_directories(mice_rpc PUBLIC ${rpc_gen_dir})
endif()
