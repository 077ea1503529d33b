package raft

import "simulate/sim"

// KV is the key-value state machine a Raft replica applies committed
// entries to, with a session per client (§8): a client's command runs at
// most once however often it was retried and logged, and the output of its
// latest command is kept to answer a retry of it. The teaching Raft and the
// etcd adapter (raftetcd) apply their entries to one, so the two serve the
// same store and the checkers judge them the same way.
type KV struct {
	kv       map[string]string
	sessions map[sim.NodeID]session
}

type session struct {
	seq int
	out string
}

// NewKV returns an empty store with no sessions.
func NewKV() KV { return KV{kv: map[string]string{}, sessions: map[sim.NodeID]session{}} }

// Apply runs c unless its client's session already holds c's sequence
// number or a later one, and returns that session afterwards: the client's
// latest applied sequence number and its output. The caller answers the
// client when seq is c.Seq.
func (s KV) Apply(c Cmd) (seq int, out string) {
	ses, seen := s.sessions[c.Client]
	if !seen || c.Seq > ses.seq {
		out := ""
		if c.Kind == CmdPut {
			s.kv[c.Key] = c.Value
			out = "ok"
		} else {
			out = s.kv[c.Key]
		}
		ses = session{seq: c.Seq, out: out}
		s.sessions[c.Client] = ses
	}
	return ses.seq, ses.out
}

// Duplicate reports whether c was applied already: its sequence number is
// at most its client's latest applied one, so a leader must not log it
// again. latest says c is that latest command, whose output out answers
// the retry; an older one needs no answer, its client has moved on.
func (s KV) Duplicate(c Cmd) (dup, latest bool, out string) {
	ses, ok := s.sessions[c.Client]
	if !ok || c.Seq > ses.seq {
		return false, false, ""
	}
	return true, c.Seq == ses.seq, ses.out
}
