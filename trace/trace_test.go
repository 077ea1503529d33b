package trace

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/internal/rally"
	"simulate/sim"
)

// pinger bounces a ball up to 5 and keeps it: twelve events (two starts,
// five sends, five deliveries) for the tests to write, read and diff.
var pinger = rally.Player{Name: "ping", Last: 5}

func sample(t *testing.T) File {
	log := &sim.Log{}
	res := sim.New(sim.Config{Nodes: 2, New: pinger.New, Tracer: log}).Run()
	return FromRun(Header{Version: "0.1.0", Protocol: "ping", Seed: 7, Scenario: json.RawMessage(`{"n":2}`)}, log, res)
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
		"no footer":  `{"type":"header","version":"0.1.0","protocol":"x"}` + "\n",
		"unknown":    `{"type":"header","version":"0.1.0","protocol":"x"}` + "\n" + `{"type":"zzz"}` + "\n",
		"bad field":  `{"type":"header","version":"0.1.0","protocol":"x","bogus":1}` + "\n",
		"after foot": `{"type":"header","version":"0.1.0","protocol":"x"}` + "\n" + `{"type":"footer"}` + "\n" + `{"type":"event"}` + "\n",
	} {
		_, err := Read(strings.NewReader(in))
		require.Error(t, err, name)
	}
}

// A trace from another major version of the simulator is refused rather
// than replayed as if its fields meant what they mean today.
func TestReadRefusesUnknownMajorVersion(t *testing.T) {
	footer := "\n" + `{"type":"footer"}` + "\n"
	for _, v := range []string{"99.0", "1.0.0", "", "x", "0"} {
		_, err := Read(strings.NewReader(`{"type":"header","version":"` + v + `","protocol":"x"}` + footer))
		require.ErrorContains(t, err, "version", v)
	}
	for _, v := range []string{"0.1.0", "0.2"} {
		_, err := Read(strings.NewReader(`{"type":"header","version":"` + v + `","protocol":"x"}` + footer))
		require.NoError(t, err, v)
	}
}

// A Recorder streams the very bytes Write writes for the same run.
func TestRecorderWritesWhatWriteWrites(t *testing.T) {
	f := sample(t)
	var want bytes.Buffer
	require.NoError(t, Write(&want, f))

	var got bytes.Buffer
	r := NewRecorder(&got, Header{Version: "0.1.0", Protocol: "ping", Seed: 7, Scenario: json.RawMessage(`{"n":2}`)})
	res := sim.New(sim.Config{Nodes: 2, New: pinger.New, Tracer: r}).Run()
	require.NoError(t, r.Finish(FooterOf(res)))
	require.Equal(t, want.String(), got.String())
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = Write(&buf, sample(&testing.T{}))
	f.Add(buf.Bytes())
	f.Add([]byte(`{"type":"header","version":"0.1.0","protocol":"x"}` + "\n" + `{"type":"footer"}`))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read(bytes.NewReader(b))
		if err == nil {
			_ = Text(file.Events)
		}
	})
}
