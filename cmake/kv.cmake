# kv layer: requests on key spans, replicas and their lock tables, routing (DESIGN.md "Ranges").
set(_kv_deps mice_storage mice_raft)
if(TARGET mice_rpc)
  list(APPEND _kv_deps mice_rpc)
endif()
mice_layer(kv ${_kv_deps})
