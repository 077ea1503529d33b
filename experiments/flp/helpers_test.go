package flp

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// shortened is long, or short under -short: a horizon of events or a
// count of seeds that keeps go test -short quick.
func shortened(long, short int) int {
	if testing.Short() {
		return short
	}
	return long
}

// requireStalled requires a duel under the fixed schedule to have run
// its whole horizon of maxEvents without ending (ended: decided or
// elected), trying more than least times (ballots or candidacies).
func requireStalled(t *testing.T, ended bool, events, attempts, maxEvents, least int, why ...any) {
	t.Helper()
	require.False(t, ended, why...)
	require.GreaterOrEqual(t, events, maxEvents)
	require.Greater(t, attempts, least)
}
