package compare

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment"
	"simulate/experiments/experiment/experimenttest"
)

// flags returns the command's parameters after parsing args, as the CLI
// binds and parses them.
func flags(t *testing.T, args ...string) (*cliParams, *pflag.FlagSet) {
	t.Helper()
	p := registered.New().(*cliParams)
	fs, err := experimenttest.Flags(registered, "compare", p, args...)
	require.NoError(t, err)
	return p, fs
}

// --out files record the parameters as the Options' JSON, as they did
// before the experiment was registered, so files written then still
// merge: the flag-only --stakes and the seed stay out of the record.
func TestRecordedParamsAreTheOptions(t *testing.T) {
	p, fs := flags(t, "--stakes", "equal", "--blocks", "20")
	require.NoError(t, p.Finish(fs))
	p.SetSeed(7)
	o := DefaultOptions()
	o.Zipf, o.Blocks = false, 20
	back := experimenttest.RequireRecorded(t, registered, p, o).(*cliParams)
	require.Equal(t, o, back.Options)
}

// Finish turns --stakes into Zipf and shrinks the 32-node defaults of
// --degree and --delegates to a smaller --nodes, but keeps what the user
// typed, for Validate to report.
func TestFinish(t *testing.T) {
	for _, c := range []struct {
		args              []string
		zipf              bool
		degree, delegates int
		err               string
	}{
		{args: nil, zipf: true, degree: 4, delegates: 21},
		{args: []string{"--stakes", "equal"}, zipf: false, degree: 4, delegates: 21},
		{args: []string{"--nodes", "4"}, zipf: true, degree: 3, delegates: 4},
		{args: []string{"--nodes", "4", "--degree", "5", "--delegates", "9"}, zipf: true, degree: 5, delegates: 9},
		{args: []string{"--stakes", "lots"}, err: `consensus compare: --stakes "lots": want equal or zipf`},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			p, fs := flags(t, c.args...)
			err := p.Finish(fs)
			if c.err != "" {
				require.EqualError(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.zipf, p.Zipf)
			require.Equal(t, c.degree, p.Degree)
			require.Equal(t, c.delegates, p.Delegates)
		})
	}
}

// Validate's one line names the flag to change, in the words the chain
// commands use.
func TestValidateNamesTheFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--nodes", "2"}, "consensus compare: --nodes must be between 4 and 1000, got 2"},
		{[]string{"--degree", "40"}, "consensus compare: --degree must be between 1 and miners-1 (31), got 40"},
		{[]string{"--block-size", "10"}, "consensus compare: --block-size must be at least 80 bytes (a header), got 10"},
		{[]string{"--tx-rate", "-1"}, "consensus compare: --tx-rate must be between 0 and 1e6 per second, got -1"},
		{[]string{"--k", "0"}, "consensus compare: --k must be between 1 and 100, got 0"},
		{[]string{"--pow-bits", "40"}, "consensus compare: pow bits must be between 1 and 20, got 40"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			p, fs := flags(t, c.args...)
			require.NoError(t, p.Finish(fs))
			require.EqualError(t, p.Validate(), c.want)
		})
	}
	p, fs := flags(t)
	require.NoError(t, p.Finish(fs))
	require.NoError(t, p.Validate())
}

// A record that decodes but lacks mechanisms (a file edited by hand) is
// refused by its position, not aggregated into a table with holes.
func TestSummarizeRefusesShortRecords(t *testing.T) {
	p := registered.New().(*cliParams)
	good, err := json.Marshal(Sample{Mechanisms: make([]Measure, len(Names))})
	require.NoError(t, err)
	short, err := json.Marshal(Sample{Mechanisms: make([]Measure, 2)})
	require.NoError(t, err)
	_, err = p.Summarize([]json.RawMessage{good, short})
	var bad *experiment.RecordError
	require.ErrorAs(t, err, &bad)
	require.Equal(t, 1, bad.Index)
}

// The main table names the sweep's seed and each mechanism's rule, and
// keeps columns readable where a number would not be: no hashes is "0",
// a producer that should have made blocks and made none is "inf".
func TestTables(t *testing.T) {
	o := DefaultOptions()
	res := Result{Runs: 3, Mechanisms: []Row{
		{Mechanism: "PoW", TPS: 7, TPSSE: 0.5, Finality: 90, FinalityRule: "k confirmations", Hashes: 4e5, HashesPerBlock: 4096, FairnessZ: 1.5},
		{Mechanism: "DPoS", TPS: 8, Finality: 2.5, FinalityRule: "2/3+1 delegates", FairnessZ: math.Inf(1)},
	}}
	ts := tables(o, 42, res)
	require.Len(t, ts, 4)
	m := ts[0]
	require.Equal(t, "mechanisms", m.Name)
	require.Contains(t, m.Title, "100 blocks × 3 runs from seed 42")
	require.Contains(t, m.Title, "a block every 15s, 64 kB blocks")
	require.Equal(t, []string{"PoW (nakamoto)", "7.00 ± 0.50", "0.00%", "90.0 (k=6)", "4e+05 (4096/block)", "1.50", "0.000 (0.000)", "0.0 of 32"}, m.Rows[0])
	require.Equal(t, []string{"DPoS (21 delegates)", "8.00", "0.00%", "2.5 (2/3+1)", "0", "inf", "0.000 (0.000)", "0.0 of 32"}, m.Rows[1])
	for i, name := range []string{"throughput", "nothing-at-stake", "attacks"} {
		require.Equal(t, name, ts[i+1].Name)
	}
}

// The titles round times and sizes for people.
func TestFormatters(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{pm(7, 0, "%.2f"), "7.00"},
		{pm(7, 0.25, "%.2f"), "7.00 ± 0.25"},
	} {
		require.Equal(t, c.want, c.got)
	}
}
