package pbft

import (
	"encoding/binary"
	"fmt"
	"strings"

	"simulate/sim"
)

// Null is the digest of the null request: the no-op a new primary puts at a
// sequence number no prepared certificate speaks for, so the log has no
// holes and execution in order can go on.
const Null = "null"

// The messages of PBFT. Each one that a replica may have to show a third
// party (a pre-prepare and prepares inside a prepared certificate, a
// checkpoint inside a stable-checkpoint proof, a view change inside a new
// view) carries a kernel signature over its payload, so a traitor can relay
// it or withhold it but never forge it. Commits, replies and status travel
// point to point: the kernel's from field already authenticates them.

func appendInt(b []byte, v int) []byte { return binary.BigEndian.AppendUint64(b, uint64(int64(v))) }

func appendStr(b []byte, s string) []byte {
	b = appendInt(b, len(s))
	return append(b, s...)
}

// Request is a client's operation, signed by the client so that no replica,
// not even a faulty primary, can invent one. TS orders one client's
// requests; a replica executes each (client, TS) at most once.
type Request struct {
	Client sim.NodeID
	TS     int
	Op     string
	Sig    sim.Signature
}

// Digest names the request in votes: its operation, or Null.
func (r Request) Digest() string {
	if r.Op == "" {
		return Null
	}
	return r.Op
}

// IsNull reports whether r is the null request.
func (r Request) IsNull() bool { return r.Op == "" }

func (r Request) payload() []byte {
	b := append([]byte(nil), "request"...)
	b = appendInt(b, int(r.Client))
	b = appendInt(b, r.TS)
	return appendStr(b, r.Op)
}

// valid reports whether r is the null request or genuinely signed by a client.
func (r Request) valid(p Params) bool {
	if r.IsNull() {
		return r.Client == 0 && r.TS == 0
	}
	return int(r.Client) >= p.N && r.Sig.Signer() == r.Client && r.Sig.Verify(r.payload())
}

// AppendDigest implements sim.Message.
func (r Request) AppendDigest(b []byte) []byte {
	return appendSigned(b, 'Q', r.payload(), r.Sig)
}

func (r Request) String() string {
	if r.IsNull() {
		return "Request{null}"
	}
	return fmt.Sprintf("Request{%s}", r.Op)
}

// PrePrepare is the primary's proposal: request Req at sequence number Seq
// in view View.
type PrePrepare struct {
	View, Seq int
	Req       Request
	Sig       sim.Signature
}

func (m PrePrepare) payload() []byte {
	b := append([]byte(nil), "pre-prepare"...)
	b = appendInt(b, m.View)
	b = appendInt(b, m.Seq)
	return appendStr(b, m.Req.Digest())
}

// AppendDigest implements sim.Message.
func (m PrePrepare) AppendDigest(b []byte) []byte {
	b = append(b, 'P')
	b = append(b, m.payload()...)
	b = m.Req.AppendDigest(b)
	return m.Sig.AppendDigest(b)
}

func (m PrePrepare) String() string {
	return fmt.Sprintf("PrePrepare{v%d #%d %s}", m.View, m.Seq, m.Req.Digest())
}

// Prepare is a backup's vote that it accepted the pre-prepare for
// (View, Seq, Digest).
type Prepare struct {
	View, Seq int
	Digest    string
	Replica   sim.NodeID
	Sig       sim.Signature
}

func (m Prepare) payload() []byte {
	b := append([]byte(nil), "prepare"...)
	b = appendInt(b, m.View)
	b = appendInt(b, m.Seq)
	b = appendStr(b, m.Digest)
	return appendInt(b, int(m.Replica))
}

// signed reports whether m carries its replica's signature over its
// payload, as every prepare must before it counts, alone or in a prepared
// certificate.
func (m Prepare) signed() bool { return m.Sig.Signer() == m.Replica && m.Sig.Verify(m.payload()) }

// AppendDigest implements sim.Message.
func (m Prepare) AppendDigest(b []byte) []byte {
	return appendSigned(b, 'p', m.payload(), m.Sig)
}

func (m Prepare) String() string {
	return fmt.Sprintf("Prepare{v%d #%d %s by n%d}", m.View, m.Seq, m.Digest, m.Replica)
}

// Commit says its sender has a prepared certificate for (View, Seq, Digest).
type Commit struct {
	View, Seq int
	Digest    string
}

// AppendDigest implements sim.Message.
func (m Commit) AppendDigest(b []byte) []byte {
	b = append(b, 'C')
	b = appendInt(b, m.View)
	b = appendInt(b, m.Seq)
	return appendStr(b, m.Digest)
}

func (m Commit) String() string { return fmt.Sprintf("Commit{v%d #%d %s}", m.View, m.Seq, m.Digest) }

// Reply is a replica's answer to a client.
type Reply struct {
	View   int
	TS     int
	Result string
}

// AppendDigest implements sim.Message.
func (m Reply) AppendDigest(b []byte) []byte {
	b = append(b, 'R')
	b = appendInt(b, m.View)
	b = appendInt(b, m.TS)
	return appendStr(b, m.Result)
}

func (m Reply) String() string { return fmt.Sprintf("Reply{v%d ts%d %s}", m.View, m.TS, m.Result) }

// Checkpoint says its signer's state after executing Seq is State.
// State is the whole (small) service state, so a replica that fell behind
// can adopt it from a stable-checkpoint proof: state transfer.
type Checkpoint struct {
	Seq     int
	State   string
	Replica sim.NodeID
	Sig     sim.Signature
}

func (m Checkpoint) payload() []byte {
	b := append([]byte(nil), "checkpoint"...)
	b = appendInt(b, m.Seq)
	b = appendStr(b, m.State)
	return appendInt(b, int(m.Replica))
}

// signed reports whether m carries its replica's signature over its
// payload, as every checkpoint must, alone or in a stable-checkpoint proof.
func (m Checkpoint) signed() bool { return m.Sig.Signer() == m.Replica && m.Sig.Verify(m.payload()) }

// AppendDigest implements sim.Message.
func (m Checkpoint) AppendDigest(b []byte) []byte {
	return appendSigned(b, 'K', m.payload(), m.Sig)
}

func (m Checkpoint) String() string {
	return fmt.Sprintf("Checkpoint{#%d %s by n%d}", m.Seq, m.State, m.Replica)
}

// PreparedCert proves that request PP.Req prepared at PP.Seq in PP.View: the
// primary's signed pre-prepare and quorum-1 matching signed prepares.
type PreparedCert struct {
	PP       PrePrepare
	Prepares []Prepare
}

// payload is the certificate as the message carrying it signs it: the
// pre-prepare's payload, then its prepares'.
func (c PreparedCert) payload() []byte { return appendPayloads(c.PP.payload(), c.Prepares) }

// appendPayloads appends the payloads of the messages a message carries,
// after their number, so that two lists side by side never run together:
// a view change signs over its checkpoint proof and its certificates, a
// new view over its view changes and its pre-prepares.
func appendPayloads[M interface{ payload() []byte }](b []byte, ms []M) []byte {
	b = appendInt(b, len(ms))
	for _, m := range ms {
		b = append(b, m.payload()...)
	}
	return b
}

// certsText renders prepared certificates for a message's String:
// "#3=op@v1 #4=null@v1".
func certsText(certs []PreparedCert) string {
	seqs := make([]string, len(certs))
	for i, c := range certs {
		seqs[i] = fmt.Sprintf("#%d=%s@v%d", c.PP.Seq, c.PP.Req.Digest(), c.PP.View)
	}
	return strings.Join(seqs, " ")
}

// ViewChange asks to move to view View, carrying the sender's stable
// checkpoint with its proof and its prepared certificates above it.
type ViewChange struct {
	View     int
	Stable   int
	Proof    []Checkpoint
	Prepared []PreparedCert
	Replica  sim.NodeID
	Sig      sim.Signature
}

func (m ViewChange) payload() []byte {
	b := append([]byte(nil), "view-change"...)
	b = appendInt(b, m.View)
	b = appendInt(b, m.Stable)
	b = appendPayloads(b, m.Proof)
	b = appendPayloads(b, m.Prepared)
	return appendInt(b, int(m.Replica))
}

// signed reports whether m carries its replica's signature over its
// payload, as every view change must, alone or in a new view.
func (m ViewChange) signed() bool { return m.Sig.Signer() == m.Replica && m.Sig.Verify(m.payload()) }

// AppendDigest implements sim.Message.
func (m ViewChange) AppendDigest(b []byte) []byte {
	return appendSigned(b, 'V', m.payload(), m.Sig)
}

func (m ViewChange) String() string {
	return fmt.Sprintf("ViewChange{v%d stable #%d prepared [%s] by n%d}", m.View, m.Stable, certsText(m.Prepared), m.Replica)
}

// NewView installs view View: the quorum of view changes it was built from
// and the pre-prepares O the new primary derived from them.
type NewView struct {
	View        int
	ViewChanges []ViewChange
	PrePrepares []PrePrepare
	Sig         sim.Signature
}

func (m NewView) payload() []byte {
	b := append([]byte(nil), "new-view"...)
	b = appendInt(b, m.View)
	b = appendPayloads(b, m.ViewChanges)
	return appendPayloads(b, m.PrePrepares)
}

// AppendDigest implements sim.Message.
func (m NewView) AppendDigest(b []byte) []byte {
	return appendSigned(b, 'N', m.payload(), m.Sig)
}

func (m NewView) String() string {
	from := make([]string, len(m.ViewChanges))
	for i, v := range m.ViewChanges {
		from[i] = fmt.Sprintf("n%d", v.Replica)
	}
	o := make([]string, len(m.PrePrepares))
	for i, p := range m.PrePrepares {
		o[i] = fmt.Sprintf("#%d=%s", p.Seq, p.Req.Digest())
	}
	return fmt.Sprintf("NewView{v%d from [%s] O [%s]}", m.View, strings.Join(from, " "), strings.Join(o, " "))
}

// Status is what a replica that is behind (a hole in its log, or waiting
// for a new view) broadcasts from time to time; peers answer with what it
// misses. It stands for PBFT's retransmission, which the paper leaves to
// the implementation.
type Status struct {
	View     int
	Active   bool
	LastExec int
	// Stable is its last stable checkpoint: a replica that executed as
	// far as its peers but missed the checkpoint messages that made a
	// number stable needs the proof, or its log window stays where it
	// was and it can take no later number.
	Stable int
	// Probe marks the status an idle replica sends a peer that has not
	// shown it reached LastExec: the peer answers with its own status, so
	// that if it is behind — even in an older view — it gets what it
	// misses. See Replica.probe.
	Probe bool
	// Answer marks the status a replica sends back to a probe.
	Answer bool
}

// AppendDigest implements sim.Message.
func (m Status) AppendDigest(b []byte) []byte {
	b = append(b, 'S')
	b = appendInt(b, m.View)
	if m.Active {
		b = append(b, 1)
	}
	b = appendInt(b, m.LastExec)
	b = appendInt(b, m.Stable)
	if m.Probe {
		b = append(b, 'p')
	}
	if m.Answer {
		b = append(b, 'a')
	}
	return b
}

func (m Status) String() string {
	state := "changing"
	if m.Active {
		state = "active"
	}
	probe := ""
	if m.Probe {
		probe = " probe"
	}
	if m.Answer {
		probe += " answer"
	}
	return fmt.Sprintf("Status{v%d %s exec #%d stable #%d%s}", m.View, state, m.LastExec, m.Stable, probe)
}

// Executed tells a replica that is behind that the sender executed Req
// at sequence number Seq. f+1 matching ones from distinct replicas prove
// that Req committed there — one of them is honest, as with the f+1
// matching replies a client accepts — so the replica behind may execute
// it without a certificate of its own. It is how a replica catches up when
// no checkpoint can become stable without it (f silent replicas leave
// every quorum needing every correct one) and the others have moved on.
type Executed struct {
	Seq int
	Req Request
}

// AppendDigest implements sim.Message.
func (m Executed) AppendDigest(b []byte) []byte {
	b = append(b, 'X')
	b = appendInt(b, m.Seq)
	return m.Req.AppendDigest(b)
}

func (m Executed) String() string {
	op := m.Req.Op
	if m.Req.IsNull() {
		op = "null"
	}
	return fmt.Sprintf("Executed{#%d %s}", m.Seq, op)
}

// Recover is what a restarted replica broadcasts while it cannot show the
// certificates or the checkpoint proof behind what it promised before its
// crash (signatures do not survive in Storage): peers answer with theirs.
type Recover struct {
	Stable int
}

// AppendDigest implements sim.Message.
func (m Recover) AppendDigest(b []byte) []byte {
	b = append(b, 'W')
	return appendInt(b, m.Stable)
}

func (m Recover) String() string { return fmt.Sprintf("Recover{stable #%d}", m.Stable) }

// RecoverReply carries a peer's stable-checkpoint proof and its prepared
// certificates above the asker's stable checkpoint.
type RecoverReply struct {
	Stable int
	Proof  []Checkpoint
	Certs  []PreparedCert
}

// AppendDigest implements sim.Message.
func (m RecoverReply) AppendDigest(b []byte) []byte {
	b = append(b, 'Y')
	b = appendInt(b, m.Stable)
	b = appendInt(b, len(m.Proof))
	for _, c := range m.Proof {
		b = c.AppendDigest(b)
	}
	return appendPayloads(b, m.Certs)
}

func (m RecoverReply) String() string {
	return fmt.Sprintf("RecoverReply{stable #%d prepared [%s]}", m.Stable, certsText(m.Certs))
}

// appendSigned appends a signed message's digest: its type tag, the payload
// its signature covers, then the signature. Every signed message hashes the
// same way, so a message's digest changes exactly when its signed content or
// its signature does.
func appendSigned(b []byte, tag byte, payload []byte, sig sim.Signature) []byte {
	b = append(b, tag)
	b = append(b, payload...)
	return sig.AppendDigest(b)
}
