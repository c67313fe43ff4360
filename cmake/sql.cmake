# sql layer: parser glue, types, catalog, planner, executor (DESIGN.md "SQL").
if(TARGET mice_txn)
  mice_layer(sql mice_txn)
else()
  mice_layer(sql mice_base)
endif()

# The parser (src/sql/parse.c) uses libpg_query (PostgreSQL 15's grammar, Debian's
# libpg-query-dev). Its parse tree comes as protobuf; libpg_query.so carries and exports
# the protobuf-c runtime it was built with, so we need only protobuf-c's headers here,
# not a second copy of the runtime.
if(TARGET mice_sql)
  find_library(PG_QUERY_LIB pg_query REQUIRED)
  find_path(PG_QUERY_INCLUDE pg_query.h REQUIRED)
  pkg_check_modules(PROTOBUFC REQUIRED libprotobuf-c)
  target_include_directories(mice_sql PRIVATE ${PG_QUERY_INCLUDE} ${PROTOBUFC_INCLUDE_DIRS})
  target_link_libraries(mice_sql PUBLIC ${PG_QUERY_LIB})
  # sha224/256/384/512() (src/sql/func_bytea.c) use libcrypto's digests.
  target_link_libraries(mice_sql PUBLIC PkgConfig::OPENSSL)
endif()
