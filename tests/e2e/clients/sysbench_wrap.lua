-- Runs the sysbench workload named by $SB_WORKLOAD unchanged (prepare, run, cleanup), and
-- writes one line per error sysbench ignores and retries to stderr:
--   sysbench-ignored <SQLSTATE> <message> | <query>
-- sysbench only counts those ("ignored errors"); test_sysbench.py checks their SQLSTATEs.
require(os.getenv("SB_WORKLOAD"))

local workload_hook = sysbench.hooks.before_restart_event

function sysbench.hooks.before_restart_event(errdesc)
   io.stderr:write(string.format("sysbench-ignored %s %s | %s\n", tostring(errdesc.sql_state),
                                 tostring(errdesc.sql_errmsg), tostring(errdesc.query)))
   if workload_hook then
      workload_hook(errdesc)
   end
end
