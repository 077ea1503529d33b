package pbft

import (
	"encoding/binary"
	"maps"
	"slices"

	"simulate/sim"
)

// Durable state. A replica writes to its Storage what it has promised, so
// that after a crash and restart it cannot send a message that contradicts
// one it sent before (Castro and Liskov assume stable storage for this):
//
//   - "pbft/view": its view, whether that view is installed or it is still
//     collecting view changes for it, and, as primary, the last sequence
//     number it assigned (so it never assigns one twice in a view);
//   - "pbft/log": for every sequence number in the window, the view and
//     digest of the last pre-prepare it accepted (and so prepared, as a
//     backup) and of the last request it prepared and committed;
//   - "pbft/state": its executed state (the hash chain and each client's
//     last reply), the last executed sequence number and the last stable
//     checkpoint.
//
// Each is rewritten only when it changes, after the event that changed it
// (an event is atomic: a crash falls between events, so nothing sent is
// ever newer than what is on disk).
//
// Signatures cannot be written: sim.Signature is kernel-made and cannot be
// rebuilt from bytes. A restarted replica therefore knows what it prepared
// but cannot show the prepared certificates or the stable-checkpoint proof
// it held. Leaving them out of a view change would be a lie by omission
// (the new primary could then put another request where one committed),
// so a restarted replica that lacks evidence for a promise sends no view
// change: it asks its peers (Recover) for their proof and certificates and
// sends its view change once it has a certificate at least as recent as
// every one it promised — or once a stable checkpoint above them makes the
// promises moot.
const (
	keyView  = "pbft/view"
	keyLog   = "pbft/log"
	keyState = "pbft/state"
)

// promise is what a replica durably remembers of one sequence number.
// A digest of "" means none.
type promise struct {
	ppView     int
	ppDigest   string // the pre-prepare it accepted (and prepared, as a backup) in ppView
	prepView   int
	prepDigest string // the request it prepared, and committed, in prepView
}

// promise updates the durable record of seq.
func (r *Replica) promise(seq int, f func(*promise)) {
	pr := r.promised[seq]
	f(&pr)
	r.promised[seq] = pr
	r.dirtyLog = true
}

// needProof: a restarted replica has a stable checkpoint but not the
// signed proof of it.
func (r *Replica) needProof() bool {
	return r.recovering && r.stable > 0 && len(r.proof) == 0
}

// needEvidence: a restarted replica cannot yet show a certificate for
// something it promised, so it may not send a view change. Always false for
// a replica that never restarted.
func (r *Replica) needEvidence() bool {
	if !r.recovering {
		return false
	}
	if r.needProof() {
		return true
	}
	for s, pr := range r.promised {
		if s <= r.stable || pr.prepDigest == "" {
			continue
		}
		if c, ok := r.certs[s]; !ok || c.PP.View < pr.prepView {
			return true
		}
	}
	return false
}

// resumeViewChange ends recovery once the evidence is back, and sends the
// view change a recovering replica held back.
func (r *Replica) resumeViewChange(ctx sim.Context) {
	if !r.recovering || r.needEvidence() {
		return
	}
	r.recovering = false
	if !r.active && (r.myVC == nil || r.myVC.View != r.view) {
		r.sendViewChange(ctx, r.view, false)
	}
}

// resume is what a replica restored from Storage does first: ask for the
// evidence it lost, or resend its view change if it has nothing to prove.
func (r *Replica) resume(ctx sim.Context) {
	if r.needEvidence() {
		r.broadcast(ctx, Recover{Stable: r.stable})
		return
	}
	r.resumeViewChange(ctx)
}

func (r *Replica) onRecover(ctx sim.Context, from sim.NodeID, m Recover) {
	if !r.p.isReplica(from) || from == r.id {
		return
	}
	reply := RecoverReply{Stable: r.stable, Proof: r.proof}
	for _, s := range slices.Sorted(maps.Keys(r.certs)) {
		if s > m.Stable {
			reply.Certs = append(reply.Certs, r.certs[s])
		}
	}
	if len(reply.Proof) == 0 && len(reply.Certs) == 0 {
		return
	}
	ctx.Send(from, reply)
}

func (r *Replica) onRecoverReply(ctx sim.Context, from sim.NodeID, m RecoverReply) {
	if !r.recovering || !r.p.isReplica(from) {
		return
	}
	if len(m.Proof) > 0 && m.Stable%r.p.K == 0 && r.validCheckpointProof(m.Stable, m.Proof) &&
		(m.Stable > r.stable || (m.Stable == r.stable && r.needProof())) {
		r.makeStable(ctx, m.Stable, m.Proof, m.Proof[0].State)
	}
	for _, c := range m.Certs {
		s := c.PP.Seq
		if old, ok := r.certs[s]; ok && old.PP.View >= c.PP.View {
			continue
		}
		// A valid certificate is a fact whoever holds it: carrying a
		// peer's in a view change is as safe as carrying one's own.
		if r.validCert(c, c.PP.View+1, r.stable) {
			r.certs[s] = c
		}
	}
	r.resumeViewChange(ctx)
}

// persist writes what changed since the last write. It encodes into one
// reused buffer (Storage copies what it is given, as a disk would).
func (r *Replica) persist(ctx sim.Context) {
	st := ctx.Storage()
	active := 0
	if r.active {
		active = 1
	}
	if v := [3]int{r.view, active, r.nextSeq}; v != r.savedView {
		r.disk = appendInt(appendInt(appendInt(r.disk[:0], v[0]), v[1]), v[2])
		st.Put(keyView, r.disk)
		r.savedView = v
	}
	if r.dirtyLog {
		r.diskSeqs = r.diskSeqs[:0]
		for s := range r.promised {
			r.diskSeqs = append(r.diskSeqs, s)
		}
		slices.Sort(r.diskSeqs)
		b := appendInt(r.disk[:0], len(r.diskSeqs))
		for _, s := range r.diskSeqs {
			pr := r.promised[s]
			b = appendInt(b, s)
			b = appendInt(b, pr.ppView)
			b = appendStr(b, pr.ppDigest)
			b = appendInt(b, pr.prepView)
			b = appendStr(b, pr.prepDigest)
		}
		st.Put(keyLog, b)
		r.disk, r.dirtyLog = b, false
	}
	if r.dirtyState {
		b := appendStr(appendInt(appendInt(r.disk[:0], r.lastExec), r.stable), r.snapshot())
		st.Put(keyState, b)
		r.disk, r.dirtyState = b, false
	}
}

// recover reads the durable state back, reporting whether there was any:
// false for a replica's first start.
func (r *Replica) recover(ctx sim.Context) bool {
	st := ctx.Storage()
	found := false
	if b, ok := st.Get(keyState); ok {
		d := newDecoder(b)
		lastExec, stable, snap := d.int(), d.int(), d.str()
		if d.ok && r.restore(snap) {
			r.lastExec, r.stable, r.maxSeen = lastExec, stable, lastExec
			found = true
		}
	}
	if b, ok := st.Get(keyView); ok {
		d := newDecoder(b)
		view, active, next := d.int(), d.int(), d.int()
		if d.ok {
			r.view, r.active, r.nextSeq = view, active == 1, next
			r.savedView = [3]int{view, active, next}
			found = true
		}
	}
	if b, ok := st.Get(keyLog); ok {
		d := newDecoder(b)
		n := d.int()
		for i := 0; i < n && d.ok; i++ {
			s := d.int()
			pr := promise{ppView: d.int(), ppDigest: d.str(), prepView: d.int(), prepDigest: d.str()}
			if d.ok && s > r.stable {
				r.promised[s] = pr
				if pr.ppView == r.view && s > r.nextSeq && r.p.Primary(r.view) == r.id {
					r.nextSeq = s
				}
			}
		}
		found = found || d.ok
	}
	if r.nextSeq < r.lastExec {
		r.nextSeq = r.lastExec
	}
	r.recovering = found
	return found
}

// decoder reads what appendInt and appendStr wrote; ok turns false at the
// first malformed field.
type decoder struct {
	b  []byte
	ok bool
}

func newDecoder(b []byte) *decoder { return &decoder{b: b, ok: true} }

func (d *decoder) int() int {
	if !d.ok || len(d.b) < 8 {
		d.ok = false
		return 0
	}
	v := int(int64(binary.BigEndian.Uint64(d.b)))
	d.b = d.b[8:]
	return v
}

func (d *decoder) str() string {
	n := d.int()
	if !d.ok || n < 0 || n > len(d.b) {
		d.ok = false
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
