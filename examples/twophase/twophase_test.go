package twophase_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/examples/twophase"
	"simulate/sim"
	"simulate/sim/simtest"
)

const ms = sim.Millisecond

// lossy is the network of these tests: each message is delayed 1 to 30ms
// and one in ten is lost. It is written here rather than taken from package
// network because it makes the same two draws for every message, lost or
// not: then rapid can shrink a loss away (draw 0 = delivered) without
// shifting every later draw, and the counterexamples come out minimal.
type lossy struct{}

func (lossy) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	link := fmt.Sprintf("n%d->n%d", l.From, l.To)
	delay := sim.Time(1+l.Choices.Intn("delay "+link, 30)) * ms
	if l.Choices.Intn("loss "+link, 10) == 9 {
		return sim.Fate{Drop: true, Reason: "loss"}
	}
	return sim.Fate{Delay: delay}
}

// reliable delays each message 1 to 30ms and loses none: the network of the
// liveness test, where a lost message cannot be what stops progress.
type reliable struct{}

func (reliable) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	return sim.Fate{Delay: sim.Time(1+l.Choices.Intn(fmt.Sprintf("delay n%d->n%d", l.From, l.To), 30)) * ms}
}

// drawConfig draws the participants' votes: false (vote yes) is the
// boring case rapid shrinks to.
func drawConfig(t *rapid.T, participants int) twophase.Config {
	cfg := twophase.Config{Participants: participants, VoteNo: make([]bool, participants+1)}
	for i := 1; i <= participants; i++ {
		cfg.VoteNo[i] = rapid.Bool().Draw(t, fmt.Sprintf("n%d votes no", i))
	}
	return cfg
}

func world(cfg twophase.Config, limit sim.Time) sim.Config {
	return sim.Config{Nodes: cfg.Nodes(), New: cfg.New, Network: lossy{}, Limit: limit}
}

// atomicity is the property: whatever the delays, losses and votes, no
// node commits while another aborts, and nobody commits over a no vote.
// It records the last failing run in *last, and counts outcomes in seen so
// the test can show the search saw both.
func atomicity(impatient bool, last *simtest.Run, seen map[string]int) func(*rapid.T) {
	return func(t *rapid.T) {
		cfg := drawConfig(t, 3)
		cfg.Impatient = impatient
		run := simtest.RunWorld(t, world(cfg, 2*sim.Second), nil)
		for _, v := range twophase.Outcomes(run.Result.Observations) {
			seen[v]++
		}
		seen["lost"] += min(run.Result.Dropped, 1)
		if err := twophase.CheckAtomicity(cfg, run.Result.Observations); err != nil {
			*last = run
			simtest.Fail(t, run, "%v", err)
		}
	}
}

// TestAtomicity: 2PC never splits the outcome, under drawn delays, losses
// and votes. The search must have seen commits, aborts and lost messages,
// or passing would prove nothing.
func TestAtomicity(t *testing.T) {
	var last simtest.Run
	seen := map[string]int{}
	// rapid.Check(t, prop) is the everyday form; a coverage assertion
	// needs a budget and seed that no flag (-short, -rapid.seed) changes.
	res := simtest.Search(100, 1, atomicity(false, &last, seen))
	require.False(t, res.Failed, res.Report)
	require.Positive(t, seen["commit"], "some run committed")
	require.Positive(t, seen["abort"], "some run aborted")
	require.Positive(t, seen["lost"], "some run lost a message")
}

// TestImpatientParticipantBreaksAtomicity: the tempting fix for blocking —
// abort on your own after a while — lets one participant abort while the
// coordinator commits. The search finds it and shrinks it to one slow
// decision.
func TestImpatientParticipantBreaksAtomicity(t *testing.T) {
	var last simtest.Run
	start := time.Now()
	res := simtest.Search(200, 1, atomicity(true, &last, map[string]int{}))
	require.True(t, res.Failed, "the search must find the split outcome")
	require.Contains(t, res.Report, "atomicity")
	require.Equal(t, 1, last.NonZero(), "one late message is enough:\n%s%s", last.Schedule(), last.Log.Text())
	require.LessOrEqual(t, len(last.Log.Events), 60, "shrunk trace:\n%s", last.Log.Text())
	t.Logf("found and shrank in %v:\n%s%s", time.Since(start).Round(time.Millisecond), last.Schedule(), last.Log.Text())
}

// crashCoordinator is the fault of the blocking test: the coordinator
// crashes at a drawn millisecond, 0 meaning never (the boring case).
func crashCoordinator(w *sim.World) {
	if at := w.Choices().Intn("crash coordinator at ms (0 = never)", 40); at > 0 {
		w.CrashAt(sim.Time(at)*ms, twophase.Coordinator)
	}
}

// TestCoordinatorCrashBlocks shows why 2PC blocks. The property is
// liveness on a network that loses nothing: by the time limit every
// participant has decided. The search
// finds a coordinator crash that breaks it and shrinks it to the smallest
// one — the coordinator dies just after asking, the participants vote yes,
// and from then on they may neither commit nor abort.
func TestCoordinatorCrashBlocks(t *testing.T) {
	var last simtest.Run
	start := time.Now()
	res := simtest.Search(100, 1, func(t *rapid.T) {
		cfg := drawConfig(t, 3)
		sc := world(cfg, sim.Second)
		sc.Network = reliable{}
		run := simtest.RunWorld(t, sc, crashCoordinator)
		out := twophase.Outcomes(run.Result.Observations)
		for i := 1; i <= cfg.Participants; i++ {
			if _, ok := out[sim.NodeID(i)]; !ok {
				last = run
				simtest.Fail(t, run, "liveness: n%d never decided", i)
			}
		}
	})
	require.True(t, res.Failed, "the search must find the blocking crash")
	require.Equal(t, 1, last.NonZero(), "one fault is enough:\n%s", last.Schedule())
	require.Contains(t, last.Schedule(), "crash coordinator at ms (0 = never) = 1 (of 40)")

	// The shrunk run: everyone voted yes, nobody decided, and the run went
	// on to the time limit with the participants still asking.
	obs := last.Result.Observations
	require.Empty(t, twophase.Outcomes(obs), "no decision by the time limit")
	votes := 0
	for _, o := range obs {
		if o.Kind == twophase.ObsVote {
			require.Equal(t, "yes", o.Value)
			votes++
		}
	}
	require.Equal(t, 3, votes)
	require.Equal(t, sim.StopLimit, last.Result.Reason)
	require.Equal(t, 1, last.Result.Crashes)
	require.LessOrEqual(t, len(last.Log.Events), 120, "backoff keeps the blocked run short")
	require.True(t, strings.Contains(last.Log.Text(), "Query"), "the participants keep asking")
	t.Logf("found and shrank in %v to:\n%s", time.Since(start).Round(time.Millisecond), last.Schedule())
}

// TestRestartUnblocks: the blocking ends only when the coordinator comes
// back. It finds its log says "began" but no decision, so nobody can have
// committed, and it aborts; the participants' next query hears it.
func TestRestartUnblocks(t *testing.T) {
	cfg := twophase.Config{Participants: 3}
	w := sim.New(sim.Config{Nodes: cfg.Nodes(), New: cfg.New, Limit: 5 * sim.Second})
	w.CrashAt(1*ms, twophase.Coordinator)
	w.RestartAt(300*ms, twophase.Coordinator)
	res := w.Run()
	out := twophase.Outcomes(res.Observations)
	require.Len(t, out, 4)
	for id, v := range out {
		require.Equal(t, "abort", v, "n%d", id)
	}
	require.NoError(t, twophase.CheckAtomicity(cfg, res.Observations))
}

// TestReplayIsExact: a recorded schedule replays to the same trace hash —
// what makes a counterexample worth filing.
func TestReplayIsExact(t *testing.T) {
	cfg := twophase.Config{Participants: 3, VoteNo: []bool{false, false, true, false}}
	runOnce := func(c sim.Choices) sim.Result {
		sc := world(cfg, sim.Second)
		sc.Choices = c
		return sim.New(sc).Run()
	}
	rec := &sim.Recorder{Inner: sim.NewPCGChoices(42)}
	a := runOnce(rec)
	values := make([]int, len(rec.Log))
	for i, c := range rec.Log {
		values[i] = c.Value
	}
	b := runOnce(&sim.ReplayChoices{Values: values})
	require.Equal(t, a.HashString(), b.HashString())
	require.NoError(t, twophase.CheckAtomicity(cfg, a.Observations))
}
