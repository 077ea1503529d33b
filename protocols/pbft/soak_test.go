package pbft_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/sim"
	"simulate/sim/simtest"
)

// TestSoak is the long search, skipped unless STRESS=N (runs per search)
// is set: safety and liveness after GST, f = 1 and 2, two clients (BIG=1:
// three clients, 15 requests, checkpoint 3), seeds shifted by SEEDOFF.
// It found the two liveness bugs the short searches did not: a replica
// racing alone through views, and view changes that were never resent.
//
//	STRESS=4000 go test -run Soak -v ./protocols/pbft/
func TestSoak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("STRESS"))
	if n == 0 {
		t.Skip()
	}
	flag.Set("rapid.shrinktime", "20s")
	so, _ := strconv.Atoi(os.Getenv("SEEDOFF"))
	seedOff := uint64(so)
	for _, f := range []int{1, 2} {
		for _, live := range []bool{false, true} {
			base := safetyBase(f)
			base.Clients = 2
			base.Requests = 8
			if os.Getenv("BIG") != "" {
				base.Clients, base.Requests, base.Checkpoint = 3, 15, 3
			}
			if live {
				base.GST = 300 * sim.Millisecond
				base.Limit = 60 * sim.Second
				base.StopOnViolation = false
			}
			var last searchRun
			res := simtest.Search(n, uint64(100+f)+seedOff, func(t *rapid.T) {
				r := runDrawn(t, base)
				if !r.out.Agreement || !r.out.Validity || (live && r.out.Completed != r.out.Requests) {
					last = r
					simtest.Fail(t, r.run, "%s done %d/%d\nscenario: %+v", r.out.Violation, r.out.Completed, r.out.Requests, r.scenario)
				}
			})
			if res.Failed {
				t.Logf("f=%d live=%v: %s; scenario %+v\n%s", f, live, last.out.Violation, last.scenario, last.run.Schedule())
				os.WriteFile(filepath.Join(os.TempDir(), "pbft-soak-failure.txt"), []byte(res.Report), 0o644)
			}
			require.False(t, res.Failed)
		}
	}
}
