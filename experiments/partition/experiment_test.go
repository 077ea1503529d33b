package partition

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// Validate's errors name the flags: every field word that begins one
// gets "--" in front, and the rest are left alone.
func TestValidateNamesFlags(t *testing.T) {
	for _, c := range []struct {
		edit func(*Params)
		want string
	}{
		{func(p *Params) { p.Lengths = []sim.Time{sim.Hour, sim.Hour} }, "nakamoto partition: --lengths: 1h0m0s given twice"},
		{func(p *Params) { p.Shares = []float64{1.2} }, "nakamoto partition: --shares: 1.2 is not in (0, 1)"},
		{func(p *Params) { p.TailBlocks = 0 }, "nakamoto partition: --tail-blocks must be between 1 and 1000, got 0"},
		{func(p *Params) { p.K = 0 }, "nakamoto partition: --k must be between 1 and 100, got 0"},
		{func(p *Params) { p.Degree = 50 }, "nakamoto partition: --degree must be between 1 and miners-1 (19), got 50"},
	} {
		p := cliParams{Params: DefaultParams()}
		c.edit(&p.Params)
		require.EqualError(t, p.Validate(), c.want)
	}
}
