package pbft

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"

	"simulate/sim"
)

// CatchUpBound is how long CheckCatchUp gives a correct replica to execute
// a committed request once the network is stable and every replica is up,
// and how long a run goes on after its clients are done so that a replica
// still behind can be judged. A replica that is merely behind catches up
// within a few status intervals (StatusInterval, 25 ms): its Status brings
// back the new-view it missed, the log entries above what it executed and
// the stable checkpoint (state transfer). 200 ms is eight of them.
const CatchUpBound = 200 * sim.Millisecond

// Progress is a replica's state from Time on: whether it is up, and the
// highest sequence number it has executed (through its own commits or a
// stable checkpoint it adopted — state transfer executes too).
type Progress struct {
	Time     sim.Time
	Replica  int
	Up       bool
	Executed int
}

// progressLog records Progress as it changes, from the stop rule, which
// sees the world after every event; it writes nothing to the trace.
type progressLog struct {
	last  []Progress
	steps []Progress
}

func newProgressLog(n int) *progressLog {
	l := &progressLog{last: make([]Progress, n)}
	for i := range l.last {
		l.last[i] = Progress{Replica: i, Executed: -1}
	}
	return l
}

func (l *progressLog) record(w *sim.World) {
	for i := range l.last {
		id := sim.NodeID(i)
		p := Progress{Time: w.Now(), Replica: i, Up: !w.Crashed(id)}
		if r, ok := w.Node(id).(*Replica); ok && p.Up {
			p.Executed = r.lastExec
		} else {
			p.Executed = l.last[i].Executed // a crashed replica keeps its count on disk
		}
		if p.Up != l.last[i].Up || p.Executed != l.last[i].Executed {
			l.last[i] = p
			l.steps = append(l.steps, p)
		}
	}
}

// CheckCatchUp checks liveness for every correct replica, not only for the
// clients: every request executed by a correct replica is executed by
// every correct replica within bound, once the network is stable and every
// replica is up. It returns "" or the first violation, in words.
//
// Client liveness (every request completes) holds as long as a quorum
// keeps working; it does not notice a correct replica that was left behind
// — one that restarted in the view it crashed in while the others changed
// views without it, and so executes nothing more than the stable
// checkpoints it is shown. Such a replica is a spare the system no longer
// has: one more fault and there is no quorum. Castro and Liskov promise
// the service to every correct replica, not just to a quorum of them (OSDI
// '99 §4.5.2 and TOCS 2002 §4.5.2 on liveness, with retransmission and
// state transfer, TOCS 2002 §7.2–7.3, bringing a lagging replica back).
//
// The network is stable from GST when s loses messages (never, if s.GST is
// 0: nothing is owed then) and from the end of s's partition; "every
// replica up" excludes the crash-restarts of s, whose down time the bound
// does not count. A committed request whose deadline falls after the end
// of the run is not judged, unless the run ended quiescent (nothing left
// to happen, so what is behind stays behind); the run's stop rule waits
// CatchUpBound for a replica that is behind once the clients are done, so
// pass CatchUpBound or less. o must come from Setup.Outcome (it carries
// the Progress).
//
// A view change that the other correct replicas begin or complete inside
// a replica's window restarts its clock when it ends (at the next new view
// a correct replica installs): the bound is for catching up,
// not for the view changes a faulty primary forces (with a silent traitor
// next in line, the correct replicas wait out a doubled view-change
// timeout — 400 ms on the third try — before anyone executes anything,
// the replica behind included). The replica's own view changes do not:
// a replica left behind may keep asking for view changes nobody joins.
func CheckCatchUp(s Scenario, o Outcome, bound sim.Time) string {
	stable := sim.Time(0)
	if s.Loss > 0 {
		if s.GST == 0 {
			return ""
		}
		stable = s.GST
	}
	if s.Partition != nil && s.Partition.To > stable {
		stable = s.Partition.To
	}
	traitor := map[int]bool{}
	for _, id := range o.TraitorIDs {
		traitor[id] = true
	}
	// When correct replicas began or installed new views; and (below)
	// when each sequence number was first executed by a correct replica.
	executed := map[int]sim.Time{}
	type viewEvent struct {
		at   sim.Time
		node int
		// until is when the view change it belongs to ended: the next
		// new view a correct replica installed (the run's end if none).
		until sim.Time
	}
	var views []viewEvent
	for _, ob := range o.Sim.Observations {
		if int(ob.Node) >= o.Replicas || traitor[int(ob.Node)] {
			continue
		}
		switch ob.Kind {
		case ObsViewChange, ObsNewView:
			until := sim.Time(math.MaxInt64)
			if ob.Kind == ObsNewView {
				until = ob.Time
			}
			views = append(views, viewEvent{ob.Time, int(ob.Node), until})
		}
	}
	for i := len(views) - 1; i >= 0; i-- {
		if i+1 < len(views) && views[i].until == math.MaxInt64 {
			views[i].until = views[i+1].until
		}
	}
	// The stretches during which every replica is up, and each replica's
	// executed count over time.
	type span struct{ from, to sim.Time }
	var spans []span
	up := make([]bool, o.Replicas)
	down := o.Replicas
	execs := make([][]Progress, o.Replicas)
	for _, p := range o.Progress {
		if p.Replica >= o.Replicas {
			continue
		}
		if p.Up != up[p.Replica] {
			up[p.Replica] = p.Up
			if p.Up {
				down--
				if down == 0 {
					spans = append(spans, span{from: p.Time, to: o.End})
				}
			} else {
				if down == 0 {
					spans[len(spans)-1].to = p.Time
				}
				down++
			}
		}
		execs[p.Replica] = append(execs[p.Replica], p)
		// When a correct replica first executed each number: a number
		// committed somewhere but executed nowhere (a hole before it)
		// is the clients' liveness, not a replica left behind.
		if !traitor[p.Replica] {
			for s := len(executed) + 1; s <= p.Executed; s++ {
				executed[s] = p.Time
			}
		}
	}
	executedAt := func(r int, t sim.Time) int {
		ps := execs[r]
		i := sort.Search(len(ps), func(i int) bool { return ps[i].Time > t })
		if i == 0 {
			return 0
		}
		return ps[i-1].Executed
	}
	// A run that ended because nothing was left to happen is final: a
	// replica behind at its end stays behind, whenever its deadline.
	horizon := o.End
	if o.Sim.Reason == sim.StopQuiescent {
		horizon = sim.Time(math.MaxInt64)
		if len(spans) > 0 && spans[len(spans)-1].to == o.End {
			spans[len(spans)-1].to = horizon
		}
	}
	worst, worstAt := "", sim.Time(-1)
	for _, seq := range slices.Sorted(maps.Keys(executed)) {
		at := executed[seq]
		for _, sp := range spans {
			for r := 0; r < o.Replicas; r++ {
				if traitor[r] {
					continue
				}
				start := max(at, stable, sp.from)
				for _, v := range views {
					if v.node != r && v.at > start && v.at <= start+bound {
						start = v.until
					}
				}
				if start == math.MaxInt64 {
					continue // a view change that never ended
				}
				deadline := start + bound
				if deadline > sp.to || deadline > horizon {
					continue
				}
				if e := executedAt(r, deadline); e < seq && (worstAt < 0 || deadline < worstAt) {
					worstAt = deadline
					worst = fmt.Sprintf("liveness: n%d had executed only up to #%d at %v, %v after another correct replica executed #%d (at %v) with the network stable and every replica up",
						r, e, deadline, bound, seq, at)
				}
			}
		}
	}
	return worst
}
