package faults

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"simulate/network"
	"simulate/sim"
)

const samplePlan = `[
  {"at": "1.5s", "kind": "crash", "node": 2},
  {"at": 2000000000, "kind": "partition", "groups": [[0, 1], [2]]},
  {"at": "2.5s", "kind": "cut", "from": 0, "to": 3},
  {"at": "3s", "kind": "loss", "p": 0.3},
  {"at": "4s", "kind": "heal"},
  {"at": "4s", "kind": "restart", "node": 2}
]`

func TestParsePlan(t *testing.T) {
	p, err := ParsePlan([]byte(samplePlan))
	require.NoError(t, err)
	want := Plan{
		Crash(1500*sim.Millisecond, 2),
		Partition(2*sim.Second, []sim.NodeID{0, 1}, []sim.NodeID{2}),
		Cut(2500*sim.Millisecond, 0, 3),
		Loss(3*sim.Second, 0.3),
		Heal(4 * sim.Second),
		Restart(4*sim.Second, 2),
	}
	assert.Equal(t, want, p)
	require.NoError(t, p.Validate(4))
	assert.Equal(t, "1.5s crash n2\n2s partition {n0 n1} | {n2}\n2.5s cut n0->n3\n3s loss p=0.3\n4s heal\n4s restart n2\n", p.String())

	// JSON round trip: only the fields of each kind, times as durations.
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `{"at":"1.5s","kind":"crash","node":2}`)
	assert.Contains(t, string(b), `{"at":"4s","kind":"heal"}`)
	back, err := ParsePlan(b)
	require.NoError(t, err)
	assert.Equal(t, p, back)

	empty, err := ParsePlan([]byte(" [] "))
	require.NoError(t, err)
	assert.Empty(t, empty)
}

func TestParsePlanErrors(t *testing.T) {
	for in, want := range map[string]string{
		``:                               "empty input",
		`{}`:                             "want an array",
		`[`:                              "unexpected EOF",
		`[] []`:                          "unexpected data",
		`[{"kind":"crash","node":1}]`:    `event 0: missing "at"`,
		`[{"at":"1s","node":1}]`:         `missing "kind"`,
		`[{"at":"1s","kind":"explode"}]`: `unknown kind "explode"`,
		`[{"at":"1s","kind":"crash"}]`:   `crash needs "node"`,
		`[{"at":"1s","kind":"crash","node":null}]`:  `crash needs "node"`,
		`[{"at":"1s","kind":"heal","node":1}]`:      `heal does not take "node"`,
		`[{"at":"1s","kind":"cut","from":1}]`:       `cut needs "to"`,
		`[{"at":"1s","kind":"loss"}]`:               `loss needs "p"`,
		`[{"at":"soon","kind":"heal"}]`:             `bad "at" "soon"`,
		`[{"at":1.5,"kind":"heal"}]`:                `bad "at" 1.5`,
		`[{"at":"1s","kind":"crash","nodes":1}]`:    `unknown field "nodes"`,
		`[{"at":"1s","kind":"crash","node":"two"}]`: `field "node"`,
		`[{"at":"1s","kind":"heal"}, 7]`:            "event 1",
	} {
		_, err := ParsePlan([]byte(in))
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), want, in)
			assert.NotContains(t, err.Error(), "\n", in)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		p    Plan
		want string
	}{
		{Plan{Crash(-1, 0)}, "event 0 (crash at -1ns): time must not be negative"},
		{Plan{Heal(0), Crash(0, 4)}, "event 1 (crash at 0s): node 4 out of range: the run has 4 nodes (0..3)"},
		{Plan{Restart(0, -1)}, "node -1 out of range"},
		{Plan{Partition(0)}, "partition needs at least one non-empty group"},
		{Plan{Partition(0, []sim.NodeID{})}, "partition needs at least one non-empty group"},
		{Plan{Partition(0, []sim.NodeID{0, 1}, []sim.NodeID{1})}, "node 1 is in groups 0 and 1"},
		{Plan{Partition(0, []sim.NodeID{7})}, "out of range"},
		{Plan{Cut(0, 1, 1)}, "cannot cut itself"},
		{Plan{Cut(0, 1, 9)}, "to 9 out of range"},
		{Plan{Loss(0, 1.5)}, "between 0 and 1"},
		{Plan{{Kind: "explode"}}, `unknown kind "explode"`},
	} {
		err := tc.p.Validate(4)
		if assert.Error(t, err, "%v", tc.p) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	assert.Error(t, Plan{}.Validate(0))
	assert.NoError(t, Plan{}.Validate(1))
}

// idle is a node that does nothing; plans act on it.
type idle struct{}

func (idle) Start(sim.Context)                            {}
func (idle) Deliver(sim.Context, sim.NodeID, sim.Message) {}
func (idle) Fire(sim.Context, sim.TimerID, any)           {}

func TestApply(t *testing.T) {
	p, err := ParsePlan([]byte(samplePlan))
	require.NoError(t, err)
	net := network.MustNew(4, network.Options{Loss: 0.05})
	log := &sim.Log{}
	w := sim.New(sim.Config{Nodes: 4, New: func(sim.NodeID) sim.Node { return idle{} }, Network: net, Tracer: log})
	require.NoError(t, p.Apply(w, net))
	probe := func(at sim.Time, check func()) { w.At(at, "probe", "", check) }
	probe(1600*sim.Millisecond, func() { assert.True(t, w.Crashed(2)) })
	probe(2100*sim.Millisecond, func() {
		assert.False(t, net.Reachable(0, 2))
		assert.False(t, net.Reachable(3, 0), "unlisted nodes form their own group")
		assert.True(t, net.Reachable(0, 1))
	})
	probe(3100*sim.Millisecond, func() {
		assert.Equal(t, 0.3, net.Loss())
		assert.False(t, net.Reachable(0, 3))
	})
	probe(4*sim.Second, func() {
		assert.True(t, net.Healed())
		assert.False(t, w.Crashed(2))
	})
	res := w.Run()
	assert.Equal(t, 1, res.Crashes)
	assert.Equal(t, 1, res.Restarts)
	text := log.Text()
	assert.Contains(t, text, "partition  ({n0 n1} | {n2} | rest {n3})")
	assert.Contains(t, text, "cut        (n0->n3)")
	assert.Contains(t, text, "loss       (p=0.3)")
	assert.Contains(t, text, "heal       (all links restored)")

	// Network events need a Net; invalid plans are rejected before anything is scheduled.
	w2 := sim.New(sim.Config{Nodes: 4, New: func(sim.NodeID) sim.Node { return idle{} }})
	assert.ErrorContains(t, p.Apply(w2, nil), "needs a network.Net")
	assert.NoError(t, Plan{Crash(1, 0), Restart(2, 0)}.Apply(w2, nil))
	assert.Error(t, Plan{Crash(1, 9)}.Apply(w2, nil))
}

// FuzzParsePlan checks that no input makes ParsePlan or Validate panic, and
// that every plan it accepts survives a JSON round trip unchanged.
func FuzzParsePlan(f *testing.F) {
	for _, s := range []string{
		samplePlan,
		`[]`, `null`, ``, `[`, `{}`, `[{}]`, `[null]`, `"x"`,
		`[{"at":"1s","kind":"crash","node":0}]`,
		`[{"at":0,"kind":"heal"}]`,
		`[{"at":"-5s","kind":"restart","node":-1}]`,
		`[{"at":"1s","kind":"partition","groups":[[0,0],[99]]}]`,
		`[{"at":"1s","kind":"partition","groups":[]}]`,
		`[{"at":"1s","kind":"partition","groups":null}]`,
		`[{"at":"1s","kind":"cut","from":2,"to":2}]`,
		`[{"at":"1s","kind":"loss","p":-3e300}]`,
		`[{"at":9223372036854775807,"kind":"heal"}]`,
		`[{"at":99999999999999999999,"kind":"heal"}]`,
		`[{"at":"2562047h47m16.854775807s","kind":"heal"}]`,
		`[{"at":"1s","kind":"crash","node":1e3}]`,
		`[{"at":"1s","kind":"crash","node":1,"node":2}]`,
		`[{"at":"1s","kind":"heal"}] trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePlan(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		for _, n := range []int{1, 4} {
			if p.Validate(n) == nil {
				_ = p.PeakFaulty(n)
				_ = p.CheckBudget(n, Budget{MaxFaulty: 1, Horizon: sim.Minute})
			}
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("marshal accepted plan: %v", err)
		}
		back, err := ParsePlan(b)
		if err != nil {
			t.Fatalf("reparse %s: %v", b, err)
		}
		if len(p) != len(back) {
			t.Fatalf("round trip changed length")
		}
		for i := range p {
			if p[i].String() != back[i].String() {
				t.Fatalf("round trip: %v became %v", p[i], back[i])
			}
		}
	})
}
