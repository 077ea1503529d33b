package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Issue 18: defaults chosen for the default size (--degree 4,
// --delegates 21) failed smaller sizes the user gave, on flags the user
// never typed. They now shrink to the size; a value the user typed is
// still validated.
func TestDefaultsFitTheSizeGiven(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string // in the title
	}{
		{[]string{"nakamoto", "--miners", "2", "--blocks", "3"}, "degree 1"},
		{[]string{"nakamoto", "--miners", "3", "--blocks", "3"}, "degree 2"},
		{[]string{"nakamoto", "--miners", "4", "--blocks", "3"}, "degree 3"},
		{[]string{"pos", "--validators", "3", "--blocks", "3"}, "degree 2"},
		{[]string{"poet", "--validators", "2", "--blocks", "3"}, "degree 1"},
		{[]string{"dpos", "--nodes", "4", "--blocks", "3"}, "4 delegates"},
		{[]string{"consensus", "compare", "--nodes", "4", "--runs", "1", "--blocks", "10"}, "degree 3"},
	} {
		name := strings.Join(tc.args, " ")
		out, stderr, code := cli(tc.args...)
		require.Equal(t, 0, code, "%s: %s", name, stderr)
		require.Contains(t, out, tc.want, name)
	}
	_, stderr, code := cli("nakamoto", "--miners", "3", "--degree", "4")
	require.Equal(t, 2, code, "a typed value is not changed behind the user's back")
	require.Contains(t, stderr, "--degree")
}
