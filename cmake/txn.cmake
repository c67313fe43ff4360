# txn layer: transactions over kv (DESIGN.md "Transactions").
if(TARGET mice_kv)
  mice_layer(txn mice_kv)
else()
  mice_layer(txn mice_storage)
endif()
