package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment"
	"simulate/report"
)

// fakeExperiment is an experiment the generic command code is tested
// with, never registered: it lives at "grp fake" with aliases, if given,
// elsewhere, and its runs record the seed and number they were given. It
// is an experiment.Spec, as every registered experiment is.
func fakeExperiment(aliases ...experiment.Alias) experiment.Spec[*fakeParams] {
	return experiment.Spec[*fakeParams]{
		ID:          "fake-sweep",
		Path:        "grp fake",
		Summary:     "the fake's short help",
		Help:        "the fake's long help",
		DefaultRuns: 3,
		Also:        aliases,
		Defaults:    func() *fakeParams { return &fakeParams{} },
		Bind:        func(*pflag.FlagSet, *fakeParams) {},
	}
}

type fakeParams struct {
	X int `json:"x"`
}

func (*fakeParams) Validate() error     { return nil }
func (*fakeParams) Run(seed uint64) any { return fmt.Sprintf("seeded %d", seed) }
func (*fakeParams) RunNumber(seed uint64, run int) any {
	return fmt.Sprintf("sweep %d run %d", seed, run)
}
func (*fakeParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	t := report.Table{Header: []string{"record"}}
	for _, r := range records {
		t.Rows = append(t.Rows, []string{string(r)})
	}
	return experiment.Output{Tables: []report.Table{t}, JSON: len(records)}, nil
}

// fakeRoot is a root command with the group "grp", the fake experiment
// added as addExperiments adds a registered one.
func fakeRoot(e experiment.Experiment) (*cobra.Command, *bytes.Buffer) {
	g := &globals{seed: 5, format: "table"}
	root := &cobra.Command{Use: "simulate", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(&cobra.Command{Use: "grp"})
	addExperiment(root, g, e)
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	return root, &out
}

func findCommand(t *testing.T, root *cobra.Command, path ...string) *cobra.Command {
	t.Helper()
	c, rest, err := root.Find(path)
	require.NoError(t, err)
	require.Empty(t, rest)
	require.Equal(t, path[len(path)-1], c.Name())
	return c
}

// TestExperimentAliases: an experiment.Aliased experiment gets a command
// at every alias's path, with the alias's help (or the experiment's when
// the alias gives none), the sweep flags, and the experiment's sweep name
// in its --out file, so an alias's shards merge with the main path's.
func TestExperimentAliases(t *testing.T) {
	t.Parallel()
	e := fakeExperiment(
		experiment.Alias{Command: "old-fake", Short: "Alias of `simulate grp fake`", Long: "old-fake is the fake's old name"},
		experiment.Alias{Command: "grp bare-alias"},
	)
	root, _ := fakeRoot(e)
	primary := findCommand(t, root, "grp", "fake")
	require.Equal(t, "the fake's short help", primary.Short)
	old := findCommand(t, root, "old-fake")
	require.Equal(t, "Alias of `simulate grp fake`", old.Short)
	require.Equal(t, "old-fake is the fake's old name", old.Long)
	bare := findCommand(t, root, "grp", "bare-alias")
	require.Equal(t, "the fake's short help", bare.Short)
	require.Equal(t, "the fake's long help", bare.Long)
	for _, c := range []*cobra.Command{primary, old, bare} {
		require.NotNil(t, c.Flags().Lookup("runs"), c.Name())
		require.Equal(t, "3", c.Flags().Lookup("runs").DefValue)
	}

	path := filepath.Join(t.TempDir(), "alias.jsonl")
	root, _ = fakeRoot(e)
	root.SetArgs([]string{"old-fake", "--runs", "2", "--out", path})
	require.NoError(t, root.Execute())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, strings.SplitN(string(b), "\n", 2)[0], `"experiment":"fake-sweep"`)

	// Without aliases, only the main path.
	root, _ = fakeRoot(fakeExperiment())
	_, rest, err := root.Find([]string{"old-fake"})
	require.True(t, err != nil || len(rest) > 0, "no alias command without Aliases")
}

// TestExperimentNumbered: an experiment.Numbered experiment's runs get
// the sweep's --seed and their number, not the run's own seed.
func TestExperimentNumbered(t *testing.T) {
	t.Parallel()
	root, out := fakeRoot(fakeExperiment())
	root.SetArgs([]string{"grp", "fake", "--runs", "2", "--workers", "1"})
	require.NoError(t, root.Execute())
	require.Contains(t, out.String(), `"sweep 5 run 0"`)
	require.Contains(t, out.String(), `"sweep 5 run 1"`)
	require.NotContains(t, out.String(), "seeded")
}
