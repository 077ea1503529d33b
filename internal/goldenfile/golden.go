// Package goldenfile checks outputs against pinned files under testdata/.
package goldenfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Check requires got to equal testdata/name, a pinned output (a table, a
// trace hash): a change means the behaviour changed and recorded traces
// may no longer replay. With UPDATE_GOLDEN set it first rewrites the file
// from got. Every package's golden tests use it.
func Check(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with UPDATE_GOLDEN=1 to create %s", path)
	require.Equal(t, string(want), got)
}
