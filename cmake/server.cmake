# server layer: pgwire, RESP, HTTP, auth (SCRAM via OpenSSL's libcrypto).
if(TARGET mice_sql)
  mice_layer(server mice_sql PkgConfig::OPENSSL)
else()
  mice_layer(server mice_base PkgConfig::OPENSSL)
endif()
