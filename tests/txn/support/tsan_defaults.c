/* ThreadSanitizer defaults for this test directory (merged with tests/tsan.supp).
 *
 * RocksDB's group commit lets the leader of a write group copy the followers' write
 * batches into the WAL; the hand-off is synchronised by atomics inside librocksdb, which
 * is not built with TSan. Debian builds it without frame pointers, so the report's stack
 * shows no librocksdb frame (tests/tsan.supp's "race:librocksdb.so" cannot match): only
 * libstdc++'s std::string internals (RocksDB's batch representation), which no MiceDB code
 * uses. These are the reports this suppresses; races in our own frames stay visible. */
const char *__tsan_default_suppressions(void);

const char *__tsan_default_suppressions(void)
{
    return "race:std::__cxx11::basic_string\n";
}
