package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFaultsFlag: --faults reads a plan file into paxos and pbft runs (its
// crash shows in the report), and a bad file or a plan that does not fit
// the run is one line on stderr with exit status 2.
func TestFaultsFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	good := write("plan.json", `[{"at":"0s","kind":"duplicate","p":1},{"at":"1ms","kind":"crash","node":3},{"at":"0s","kind":"partition","groups":[[1]]},{"at":"30ms","kind":"heal"}]`)
	require.Contains(t, requireRun(t, "paxos", "--seed", "1", "--faults", good, "--format", "json"), `"crashes": 1`)
	var o struct {
		PerReplica []struct{ Executed int } `json:"per_replica"`
	}
	requireJSON(t, &o, "pbft", "--seed", "1", "--faults", good)
	require.Zero(t, o.PerReplica[3].Executed, "replica 3 crashed at 1ms and never executed")
	require.Positive(t, o.PerReplica[1].Executed)
	for _, c := range []struct{ name, body, want string }{
		{"kind.json", `[{"at":"1s","kind":"boom"}]`, `unknown kind "boom"`},
		{"range.json", `[{"at":"1s","kind":"crash","node":9}]`, "out of range"},
		{"json.json", `{`, "fault plan"},
	} {
		_, errOut, code := cli("pbft", "--faults", write(c.name, c.body))
		require.Equal(t, 2, code, c.name)
		require.Contains(t, errOut, c.want, c.name)
		require.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line: %q", errOut)
	}
	_, errOut, code := cli("paxos", "--faults", filepath.Join(dir, "missing.json"))
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "missing.json")
}
