package chain_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/network"
	"simulate/protocols/chain"
	"simulate/sim"
)

// TestWorkloadAndLinksFlattenInJSON: a scenario embedding both writes the
// fields flat, in declaration order, with the tags and omitempty the four
// chain protocols' scenarios always had, so trace headers and --format
// json output did not change when the fields moved here.
func TestWorkloadAndLinksFlattenInJSON(t *testing.T) {
	type scenario struct {
		Nodes int `json:"nodes"`
		chain.Workload
		chain.Links
		Blocks int `json:"blocks"`
	}
	s := scenario{Nodes: 4, Workload: chain.Workload{BlockSize: 1000, TxSize: 250, TxRate: 4},
		Links: chain.Links{Degree: 3, Delay: sim.Second, Bandwidth: 10}, Blocks: 5}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.Equal(t, `{"nodes":4,"block_size":1000,"tx_size":250,"tx_rate":4,"degree":3,"delay":1000000000,"bandwidth":10,"blocks":5}`, string(b))

	s.Outbound, s.Jitter, s.JitterSteps = 8, sim.Millisecond, 3
	b, err = json.Marshal(s)
	require.NoError(t, err)
	require.Equal(t, `{"nodes":4,"block_size":1000,"tx_size":250,"tx_rate":4,"degree":3,"outbound":8,"delay":1000000000,"bandwidth":10,"jitter":1000000,"jitter_steps":3,"blocks":5}`, string(b))
	var back scenario
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, s, back)
}

// TestWorkloadAndLinksValidate: each field's error names it as its flag
// does, and the node count by the protocol's own word.
func TestWorkloadAndLinksValidate(t *testing.T) {
	w := chain.Workload{BlockSize: chain.HeaderSize, TxSize: 1, TxRate: 0}
	require.NoError(t, w.Validate())
	for _, c := range []struct {
		w    chain.Workload
		want string
	}{
		{chain.Workload{BlockSize: 79, TxSize: 1}, "block size must be at least 80 bytes (a header), got 79"},
		{chain.Workload{BlockSize: 80, TxSize: 0}, "transaction size must be positive, got 0"},
		{chain.Workload{BlockSize: 80, TxSize: 1, TxRate: -1}, "transaction rate must be between 0 and 1e6 per second, got -1"},
		{chain.Workload{BlockSize: 80, TxSize: 1, TxRate: 2e6}, "transaction rate must be between 0 and 1e6 per second, got 2e+06"},
	} {
		require.EqualError(t, c.w.Validate(), c.want)
	}

	l := chain.Links{Degree: 4}
	require.NoError(t, l.Validate(16, "miners"))
	require.NoError(t, chain.Links{}.Validate(1, "miners"), "one node needs no neighbours")
	for _, c := range []struct {
		l    chain.Links
		want string
	}{
		{chain.Links{Degree: 0}, "degree must be between 1 and validators-1 (15), got 0"},
		{chain.Links{Degree: 16}, "degree must be between 1 and validators-1 (15), got 16"},
		{chain.Links{Degree: 4, Outbound: 16}, "outbound connections must be between 0 and validators-1 (15), got 16"},
		{chain.Links{Degree: 4, Outbound: -1}, "outbound connections must be between 0 and validators-1 (15), got -1"},
		{chain.Links{Degree: 4, Delay: -1}, "delay must not be negative, got -1ns"},
		{chain.Links{Degree: 4, Bandwidth: -1}, "bandwidth must not be negative, got -1"},
		{chain.Links{Degree: 4, Jitter: -sim.Second}, "jitter must not be negative, got -1s"},
		{chain.Links{Degree: 4, JitterSteps: -1}, "jitter steps must not be negative, got -1"},
	} {
		require.EqualError(t, c.l.Validate(16, "validators"), c.want)
	}
}

// TestLinksGraphAndModel: Links builds the graph and the link model the
// protocols built by hand before, so runs are unchanged.
func TestLinksGraphAndModel(t *testing.T) {
	for _, n := range []int{1, 5, 40} {
		for _, d := range []int{1, 4, 60} {
			peers, complete := chain.Links{Degree: d}.Graph(n, 7)
			want, wantComplete := chain.Graph(n, d, 7)
			require.Equal(t, want, peers)
			require.Equal(t, wantComplete, complete)
		}
		peers, complete := chain.Links{Degree: 4, Outbound: 3}.Graph(n, 7)
		require.Equal(t, chain.OutboundGraph(n, 3, 7), peers)
		require.False(t, complete, "an outbound graph is never taken as complete")
	}
	o := chain.Links{Delay: sim.Second, Bandwidth: 8, Jitter: sim.Millisecond, JitterSteps: 3}.Options(nil, 0)
	require.Equal(t, network.UniformSteps(sim.Second, sim.Second+2*sim.Millisecond, 3), o.Latency, "delay plus 0, 1 or 2 jitters")
	require.Equal(t, []sim.Time{sim.Second, sim.Second + sim.Millisecond, sim.Second + 2*sim.Millisecond}, o.Latency.Table())
	require.Equal(t, int64(8), o.Bandwidth)
	require.Equal(t, network.Constant(sim.Second), chain.Links{Delay: sim.Second, Jitter: sim.Millisecond}.Options(nil, 0).Latency, "jitter needs steps")
}
