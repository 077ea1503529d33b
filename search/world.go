package search

import "simulate/sim"

// WorldRun is one world run under a search.
type WorldRun struct {
	Result sim.Result
	// Draws are the draws the world made (those before it, such as a
	// scenario drawn from the same T, are not included): the schedule a
	// protocol's replay flag takes.
	Draws Schedule
	// Log holds every event in the Final phase and is nil before it.
	Log *sim.Log
}

// RunWorld runs cfg with its environment drawn from t. setup, if not nil,
// schedules environment events (faults) before the run starts.
func RunWorld(t *T, cfg sim.Config, setup func(w *sim.World)) WorldRun {
	start := len(t.rec.Log)
	cfg.Choices = t
	log := t.Tracer()
	if log != nil {
		cfg.Tracer = log
	}
	w := sim.New(cfg)
	if setup != nil {
		setup(w)
	}
	res := w.Run()
	return WorldRun{Result: res, Draws: t.Draws()[start:], Log: log}
}
