package trace

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

type ping struct{ N int }

func (p ping) AppendDigest(b []byte) []byte { return append(b, byte(p.N)) }

type pinger struct{}

func (pinger) Start(ctx sim.Context) {
	if ctx.Self() == 0 {
		ctx.Send(1, ping{N: 1})
	}
}
func (pinger) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	if p := m.(ping); p.N < 5 {
		ctx.Send(from, ping{N: p.N + 1})
	}
}
func (pinger) Fire(sim.Context, sim.TimerID, any) {}

func sample(t *testing.T) File {
	log := &sim.Log{}
	res := sim.New(sim.Config{Nodes: 2, New: func(sim.NodeID) sim.Node { return pinger{} }, Tracer: log}).Run()
	return FromRun(Header{Version: "test", Protocol: "ping", Seed: 7, Scenario: json.RawMessage(`{"n":2}`)}, log, res)
}

func TestRoundTrip(t *testing.T) {
	f := sample(t)
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, f))
	g, err := Read(&buf)
	require.NoError(t, err)
	require.Equal(t, f.Footer, g.Footer)
	require.Equal(t, f.Events, g.Events)
	require.Equal(t, "ping", g.Header.Protocol)
	require.Nil(t, Diff(f.Events, g.Events))
}

func TestDiffNamesFirstDivergence(t *testing.T) {
	f := sample(t)
	g := sample(t)
	g.Events[3].Time += 5
	d := Diff(f.Events, g.Events)
	require.NotNil(t, d)
	require.Equal(t, 3, d.Index)
	require.NotEqual(t, d.A, d.B)
	d = Diff(f.Events, g.Events[:2])
	require.Equal(t, 2, d.Index)
	require.Equal(t, "", d.B)
}

func TestReadRejectsMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"empty":      "",
		"not json":   "hello\n",
		"no header":  `{"type":"event","i":1}` + "\n",
		"no footer":  `{"type":"header","protocol":"x"}` + "\n",
		"unknown":    `{"type":"header","protocol":"x"}` + "\n" + `{"type":"zzz"}` + "\n",
		"bad field":  `{"type":"header","protocol":"x","bogus":1}` + "\n",
		"after foot": `{"type":"header","protocol":"x"}` + "\n" + `{"type":"footer"}` + "\n" + `{"type":"event"}` + "\n",
	} {
		_, err := Read(strings.NewReader(in))
		require.Error(t, err, name)
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = Write(&buf, sample(&testing.T{}))
	f.Add(buf.Bytes())
	f.Add([]byte(`{"type":"header","protocol":"x"}` + "\n" + `{"type":"footer"}`))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read(bytes.NewReader(b))
		if err == nil {
			_ = Text(file.Events)
		}
	})
}
