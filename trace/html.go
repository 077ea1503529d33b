package trace

import (
	"encoding/json"
	"fmt"
	"html"
	"sort"
	"strings"
)

// ViolationKind is the observation kind a checker records when a property
// breaks, e.g. Observe("violation", 0, "agreement: n1 decided attack, n2
// retreat"), which the trace shows as Detail "violation[0]=agreement: ...".
// The HTML viewer's "jump to violation" goes to the first such event, so any
// protocol's checker can point a reader at its counterexample without the
// viewer knowing the protocol.
const ViolationKind = "violation"

// IsViolation reports whether e is a violation observation.
func IsViolation(e Event) bool {
	return e.Kind == "observe" && strings.HasPrefix(e.Detail, ViolationKind+"[")
}

// htmlEvent is one event as the viewer's script reads it. Names are short
// because a long trace repeats them many thousand times.
type htmlEvent struct {
	I    int    `json:"i"`              // the event's number in the trace
	T    string `json:"t"`              // its virtual time, as a person reads it
	K    string `json:"k"`              // kind
	F    int    `json:"f"`              // from (-1 for environment actions)
	To   int    `json:"to"`             // to
	M    string `json:"m,omitempty"`    // message type, for the type filter
	X    string `json:"x,omitempty"`    // message text
	D    string `json:"d,omitempty"`    // detail
	Line string `json:"line"`           // the readable line (as simulate render --as text)
	S    int    `json:"s"`              // position of this delivery's send; -1
	C    string `json:"c,omitempty"`    // vector clock
	V    bool   `json:"v,omitempty"`    // a violation
	G    string `json:"g,omitempty"`    // idle time before it: nothing was in flight
	Skip string `json:"skip,omitempty"` // events left out before it, in words
	Z    bool   `json:"z,omitempty"`    // in the violation's causal slice
}

type htmlData struct {
	Protocol  string      `json:"protocol"`
	Version   string      `json:"version"`
	Seed      uint64      `json:"seed"`
	Hash      string      `json:"hash"`
	Reason    string      `json:"reason"`
	End       string      `json:"end"`
	Sent      int         `json:"sent"`
	Delivered int         `json:"delivered"`
	Dropped   int         `json:"dropped"`
	Nodes     []int       `json:"nodes"`
	Traitors  []int       `json:"traitors"`
	Types     []string    `json:"types"`
	Violation int         `json:"violation"` // position of the first violation; -1
	Lanes     []int       `json:"lanes"`     // nodes drawn on lanes of their own
	Others    int         `json:"others"`    // nodes sharing the last lane
	Omitted   string      `json:"omitted,omitempty"`
	Events    []htmlEvent `json:"events"`
	// Slice says the events carry their causal-slice mark.
	Slice bool `json:"slice,omitempty"`
}

// Limits of the HTML viewer: a browser steps smoothly through a few
// thousand events on forty lanes; beyond that the page embeds the start of
// the run and the events leading to the violation, and says so.
const (
	htmlMaxEvents = 4000
	htmlMaxLanes  = 40
)

// HTML renders f as one self-contained web page — inline style and script,
// the trace embedded as JSON, nothing fetched — that draws the space-time
// diagram and lets a reader step through the run event by event (buttons or
// arrow keys), filter by node and by message type, and jump to the event
// where a property broke (or to the end if none did). A reader needs only a
// browser: the file can be mailed, attached to an issue or opened offline.
//
// Elements a test or a person can drive have stable ids: #first, #prev,
// #next, #last, #jump-violation, #filter-node, #filter-type, #filter-slice
// (only the violation's causal slice, as `simulate check` prints it), #event-index
// (the current event's number), #event-pos, #event-text (its line) and
// #event-list. The output depends only on f: the same trace gives the same
// bytes.
//
// A page stays small and usable for any trace: lanes narrow to fit the
// window, nodes beyond htmlMaxLanes share one "others" lane, a stretch
// with no message in flight is a band naming its length, and beyond
// htmlMaxEvents events the page keeps the start of the run and the events
// up to the violation, with a band and a header line saying what was left
// out.
func HTML(f File) string {
	data := htmlData{
		Protocol: f.Header.Protocol, Version: f.Header.Version, Seed: f.Header.Seed,
		Hash: f.Footer.Hash, Reason: f.Footer.Reason, End: simTime(f.Footer.End).String(),
		Sent: f.Footer.Counters.Sent, Delivered: f.Footer.Counters.Delivered, Dropped: f.Footer.Counters.Dropped,
		Nodes: []int{}, Traitors: []int{}, Types: []string{}, Violation: -1,
		Events: make([]htmlEvent, len(f.Events)),
	}
	clocks := VectorClocks(f)
	send := sendOf(f.Events)
	nodes, traitors, types := map[int]bool{}, map[int]bool{}, map[string]bool{}
	for i, e := range f.Events {
		for _, n := range []int{e.From, e.To} {
			if n >= 0 && !nodes[n] {
				nodes[n] = true
				data.Nodes = append(data.Nodes, n)
			}
		}
		he := htmlEvent{I: e.Index, T: simTime(e.Time).String(), K: e.Kind, F: e.From, To: e.To,
			X: e.Text, D: e.Detail, Line: e.Line(), S: send[i], V: IsViolation(e)}
		if clocks[i] != nil {
			he.C = clocks[i].String()
		}
		if isMessage(e.Kind) {
			he.M = messageType(e)
			if !types[he.M] {
				types[he.M] = true
				data.Types = append(data.Types, he.M)
			}
		}
		if he.V && data.Violation < 0 {
			data.Violation = i
		}
		if e.Kind == "observe" && strings.HasPrefix(e.Detail, RoleKind+"[") && strings.HasSuffix(e.Detail, "="+RoleTraitor) {
			if !traitors[e.To] {
				traitors[e.To] = true
				data.Traitors = append(data.Traitors, e.To)
			}
		}
		data.Events[i] = he
	}
	if v := f.Footer.Violation; v != nil && data.Violation < 0 {
		// A checker's verdict after the run, pinned to an event.
		for i := range data.Events {
			if data.Events[i].I == v.Event || i == len(data.Events)-1 {
				he := &data.Events[i]
				he.V = true
				he.Line += "   ⚠ violated: " + v.Property
				data.Violation = i
				break
			}
		}
	}
	// The causal slice of the violation (what `simulate check` prints):
	// the "causal slice only" box hides everything else.
	if v := data.Violation; v >= 0 {
		targets := append(Suspects(f.Events, f.Events[v].Detail+" "+data.Events[v].Line), v)
		for _, i := range CausalSlice(f.Events, targets) {
			data.Events[i].Z = true
		}
		data.Events[v].Z = true
		data.Slice = true
	}
	// Idle stretches, over the whole run.
	inFlight := 0
	for i, e := range f.Events {
		if i > 0 && inFlight <= 0 && e.Time > f.Events[i-1].Time {
			data.Events[i].G = simTime(e.Time - f.Events[i-1].Time).String()
		}
		switch e.Kind {
		case "send", "duplicate":
			inFlight++
		case "deliver", "drop":
			inFlight--
		}
	}
	onLane, all := chooseLanes(f, htmlMaxLanes, data.Violation)
	for _, n := range all {
		if onLane[n] {
			data.Lanes = append(data.Lanes, n)
		}
	}
	var omitted []string
	if data.Others = len(all) - len(data.Lanes); data.Others > 0 {
		omitted = append(omitted, fmt.Sprintf("%d of %d nodes share the lane \"others\"", data.Others, len(all)))
	}
	if len(data.Events) > htmlMaxEvents {
		omitted = append(omitted, windowEvents(&data, f))
	}
	data.Omitted = strings.Join(omitted, "; ")
	if data.Lanes == nil {
		data.Lanes = []int{}
	}
	sort.Ints(data.Nodes)
	sort.Ints(data.Traitors)
	sort.Strings(data.Types)
	js, err := json.Marshal(data) // escapes <, > and &: safe inside <script>
	if err != nil {
		panic("trace: HTML: " + err.Error()) // plain strings and ints: cannot happen
	}
	title := "simulate: " + f.Header.Protocol
	return strings.NewReplacer(
		"{{TITLE}}", html.EscapeString(title),
		"{{DATA}}", string(js),
	).Replace(htmlPage)
}

// windowEvents keeps htmlMaxEvents of data's events — the first ones, or
// if the property broke later, the first half and the events up to the
// violation — renumbers positions, marks the cut and says what it left out.
func windowEvents(data *htmlData, f File) string {
	n, v := len(data.Events), data.Violation
	keep := func(i int) bool { return i < htmlMaxEvents }
	if v >= htmlMaxEvents {
		head := htmlMaxEvents / 2
		tail := v - (htmlMaxEvents - head) + 1
		keep = func(i int) bool { return i < head || i >= tail && i <= v }
	}
	pos := make([]int, n)
	var kept []htmlEvent
	for i := range data.Events {
		pos[i] = -1
		if keep(i) {
			pos[i] = len(kept)
			kept = append(kept, data.Events[i])
		}
	}
	left := map[string]int{}
	cut := -1 // first left-out event of the current gap
	for i := 0; i <= n; i++ {
		if i < n && !keep(i) {
			if cut < 0 {
				cut = i
			}
			left[f.Events[i].Kind]++
			continue
		}
		if cut >= 0 && i < n {
			kept[pos[i]].Skip = fmt.Sprintf("%s, from %s to %s", countWords(left), simTime(f.Events[cut].Time), simTime(f.Events[i-1].Time))
			kept[pos[i]].G = ""
			left, cut = map[string]int{}, -1
		}
	}
	for i := range kept {
		if kept[i].S >= 0 {
			kept[i].S = pos[kept[i].S]
		}
	}
	if v >= 0 {
		data.Violation = pos[v]
	}
	data.Events = kept
	msg := fmt.Sprintf("showing %d of %d events", len(kept), n)
	if cut >= 0 {
		msg += fmt.Sprintf(" (not shown: %s, from %s to %s)", countWords(left), simTime(f.Events[cut].Time), simTime(f.Events[n-1].Time))
	}
	return msg
}

func isMessage(kind string) bool {
	switch kind {
	case "send", "deliver", "drop", "duplicate":
		return true
	}
	return false
}

// messageType is the event's Go message type, or for traces that lack it
// the text before the first brace ("Order" of "Order{attack}").
func messageType(e Event) string {
	if e.Msg != "" {
		return e.Msg
	}
	t := e.Text
	if i := strings.IndexAny(t, "{( "); i > 0 {
		t = t[:i]
	}
	if t == "" {
		t = "?"
	}
	return t
}

const htmlPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { padding: 8px 14px; background: #234; color: #fff; }
header h1 { font-size: 16px; margin: 0 0 2px 0; }
header .meta { font: 12px monospace; color: #cde; }
.bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 8px 14px; background: #fff; border-bottom: 1px solid #ddd; position: sticky; top: 0; z-index: 2; }
.bar button { font: inherit; padding: 3px 10px; border: 1px solid #889; border-radius: 4px; background: #f4f4f8; cursor: pointer; }
.bar button:hover { background: #e4e8f4; }
#jump-violation { border-color: #c00; color: #a00; }
.bar label { margin-left: 8px; }
.pos { margin-left: 10px; font: 12px monospace; color: #555; }
#event-text { margin: 8px 14px; padding: 6px 10px; font: 13px monospace; background: #fff3b0; border: 1px solid #e0c040; border-radius: 4px; white-space: pre-wrap; min-height: 1.4em; }
#event-text.violation { background: #ffd6d6; border-color: #c00; color: #900; font-weight: bold; }
#event-clock { margin: 0 14px 6px 14px; font: 12px monospace; color: #666; }
main { display: flex; gap: 10px; padding: 0 14px 14px 14px; align-items: flex-start; }
#diagram { flex: 3; overflow: auto; max-height: 78vh; background: #fff; border: 1px solid #ddd; }
#event-list { flex: 2; overflow: auto; max-height: 78vh; margin: 0; padding: 0; list-style: none; font: 12px monospace; background: #fff; border: 1px solid #ddd; }
#event-list li { padding: 1px 6px; white-space: pre; cursor: pointer; }
#event-list li.future { color: #aaa; }
#event-list li.current { background: #fff3b0; color: #000; font-weight: bold; }
#event-list li.violation { color: #c00; }
svg text { font: 11px monospace; }
svg .future { opacity: 0.22; }
svg .rowbg { fill: transparent; }
svg .current .rowbg { fill: #fff3b0; }
svg .current line, svg .current circle, svg .current rect.mark { stroke-width: 3; }
.legend { font-size: 12px; color: #555; padding: 0 14px 10px 14px; }
.legend span { margin-right: 14px; }
</style>
</head>
<body>
<header><h1 id="title"></h1><div class="meta" id="meta"></div></header>
<div class="bar">
<button id="first" title="first event (Home)">&#xAB; first</button>
<button id="prev" title="previous event (&#x2190;)">&#x25C0; prev</button>
<button id="next" title="next event (&#x2192;)">next &#x25B6;</button>
<button id="last" title="last event (End)">last &#xBB;</button>
<button id="jump-violation" title="jump to where a property broke (v)">jump to violation</button>
<label>node <select id="filter-node"><option value="">all nodes</option></select></label>
<label>message <select id="filter-type"><option value="">all messages</option></select></label>
<label title="only the events that led to the violation: its causal past and the faults (c)"><input type="checkbox" id="filter-slice"> causal slice only</label>
<span class="pos">event #<span id="event-index"></span> &middot; <span id="event-pos"></span></span>
</div>
<div id="event-text"></div>
<div id="event-clock"></div>
<main><div id="diagram"></div><ol id="event-list"></ol></main>
<div class="legend"><span>&#x2192; delivered</span><span style="color:#c00">&#x2715; lost</span><span style="color:#960">&#x25CF; observation</span><span style="color:#c00">&#x25CF; violation</span><span style="color:#c00">&#x25A0; crash</span><span style="color:#080">&#x25A0; restart</span><span style="color:#777">&#x25AC; environment</span><span>keys: &#x2190; &#x2192; Home End v</span></div>
<script type="application/json" id="trace-data">{{DATA}}</script>
<script>
(function () {
"use strict";
var D = JSON.parse(document.getElementById("trace-data").textContent);
var E = D.events;
var NS = "http://www.w3.org/2000/svg";
var LEFT = 80, GAP = 150, TOP = 40, ROW = 20, RIGHT = 200, OTHERS = -2;
var pos = E.length ? 0 : -1;
var fNode = "", fType = "", fSlice = false;
var vis = [], rowOf = {}, groups = {}, items = [];
function $(id) { return document.getElementById(id); }
function el(tag, attrs, text) {
  var x = document.createElementNS(NS, tag);
  Object.keys(attrs).forEach(function (k) { x.setAttribute(k, attrs[k]); });
  if (text !== undefined) { x.textContent = text; }
  return x;
}
function isMsg(e) { return e.k === "send" || e.k === "deliver" || e.k === "drop" || e.k === "duplicate"; }
function visible(e) {
  if (fNode !== "") { var n = +fNode; if (e.f >= 0 && e.f !== n && e.to !== n) { return false; } }
  if (fType !== "" && isMsg(e) && e.m !== fType) { return false; }
  if (fSlice && !e.z) { return false; }
  return true;
}
function short(s, n) { return s.length <= n ? s : s.slice(0, n - 1) + "\u2026"; }
var traitor = {};
D.traitors.forEach(function (n) { traitor[n] = true; });
var laneX = {};
var lanes = D.lanes.slice();
if (D.others > 0) { lanes.push(OTHERS); }
// Lanes narrow to fit the diagram's box (down to 36 px), so that a run of
// many nodes shows them all side by side; labels shorten with them.
function layout() {
  var room = $("diagram").clientWidth || 900;
  GAP = Math.max(36, Math.min(150, Math.floor((room - LEFT - 40) / Math.max(1, lanes.length))));
  laneX = {};
  lanes.forEach(function (n, i) { laneX[n] = LEFT + i * GAP + GAP / 2; });
}
function lx(n) { return laneX[n] !== undefined ? laneX[n] : laneX[OTHERS]; }
function laneName(n) { return n === OTHERS ? "+" + D.others + " others" : "n" + n + (traitor[n] ? " (traitor)" : ""); }

function header() {
  $("title").textContent = "simulate \u2014 " + D.protocol + " (seed " + D.seed + ")";
  $("meta").textContent = E.length + " events \u00b7 sent " + D.sent + ", delivered " + D.delivered + ", dropped " + D.dropped +
    " \u00b7 ended at " + D.end + " (" + D.reason + ") \u00b7 hash " + D.hash + (D.version ? " \u00b7 simulate " + D.version : "") +
    (D.omitted ? " \u00b7 " + D.omitted : "");
  D.nodes.forEach(function (n) {
    $("filter-node").appendChild(new Option("n" + n + (traitor[n] ? " (traitor)" : ""), String(n)));
  });
  D.types.forEach(function (t) { $("filter-type").appendChild(new Option(t, t)); });
  $("jump-violation").textContent = D.violation >= 0 ? "jump to violation" : "jump to end (no violation)";
  $("filter-slice").disabled = !D.slice;
  var ol = $("event-list");
  E.forEach(function (e, p) {
    var li = document.createElement("li");
    li.textContent = e.line;
    if (e.v) { li.className = "violation"; }
    li.addEventListener("click", function () { go(p); });
    ol.appendChild(li);
    items.push(li);
  });
}

function draw() {
  vis = []; rowOf = {}; groups = {};
  E.forEach(function (e, p) { if (visible(e)) { rowOf[p] = vis.length; vis.push(p); } });
  layout();
  var chars = Math.max(8, Math.floor(GAP / 7));
  // Rows: one per event, plus a band before an event that follows idle
  // time or left-out events.
  var rowY = {}, nrows = 0;
  vis.forEach(function (p, r) {
    if (r > 0 && (E[p].g || E[p].skip)) { nrows++; }
    rowY[p] = TOP + nrows * ROW + ROW / 2;
    nrows++;
  });
  var W = LEFT + lanes.length * GAP + RIGHT, H = TOP + nrows * ROW + 20;
  var svg = el("svg", { xmlns: NS, width: W, height: H, viewBox: "0 0 " + W + " " + H });
  var defs = el("defs", {});
  var mk = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  mk.appendChild(el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#333" }));
  defs.appendChild(mk); svg.appendChild(defs);
  var bands = el("g", {}), laneG = el("g", {}), gaps = el("g", {}), evs = el("g", {});
  svg.appendChild(bands); svg.appendChild(laneG); svg.appendChild(gaps); svg.appendChild(evs);
  lanes.forEach(function (n) {
    var c = traitor[n] ? "#c00" : n === OTHERS ? "#999" : "#333";
    laneG.appendChild(el("text", { x: laneX[n], y: TOP - 20, "text-anchor": "middle", "font-weight": "bold", fill: c }, laneName(n)));
    laneG.appendChild(el("line", { x1: laneX[n], y1: TOP - 10, x2: laneX[n], y2: H - 10, stroke: c, "stroke-width": 1.5 }));
  });
  var lastT = null;
  vis.forEach(function (p, r) {
    var e = E[p], yy = rowY[p];
    if (r > 0 && (e.g || e.skip)) { // the band covers the lanes: they break there
      var by = yy - ROW - ROW / 2;
      gaps.appendChild(el("rect", { x: 0, y: by + 2, width: W, height: ROW - 4, fill: e.skip ? "#fff6d8" : "#f4f7ff", stroke: "#99a", "stroke-dasharray": "3 3" }));
      gaps.appendChild(el("text", { x: LEFT, y: by + ROW / 2 + 4, fill: "#557", "font-style": "italic" },
        e.skip ? "\u22ef not shown: " + e.skip + " \u22ef" : "\u22ef " + e.g + " with no message in flight \u22ef"));
    }
    var g = el("g", { "class": "ev", id: "ev-" + p, "data-pos": p });
    g.appendChild(el("rect", { "class": "rowbg", x: 0, y: yy - ROW / 2, width: W, height: ROW }));
    g.addEventListener("click", function () { go(p); });
    if (e.t !== lastT) { g.appendChild(el("text", { x: 4, y: yy + 4, fill: "#888" }, e.t)); lastT = e.t; }
    var xf = lx(e.f), xt = lx(e.to);
    var ys = (e.s >= 0 && rowY[e.s] !== undefined) ? rowY[e.s] : yy;
    switch (e.k) {
    case "send":
      g.appendChild(el("circle", { cx: xf, cy: yy, r: 3, fill: "#246" }));
      break;
    case "deliver":
      if (xf === xt) { g.appendChild(el("circle", { cx: xt, cy: yy, r: 4, fill: "none", stroke: "#246" })); break; }
      var y2 = ys === yy ? yy + ROW / 3 : yy;
      var ln = el("line", { x1: xf, y1: ys, x2: xt, y2: y2, stroke: "#333", "marker-end": "url(#arrow)" });
      ln.appendChild(el("title", {}, e.x || ""));
      g.appendChild(ln);
      g.appendChild(el("text", { x: (xf + xt) / 2, y: (ys + y2) / 2 - 3, fill: "#246", "text-anchor": "middle" }, short(e.x || "", chars)));
      break;
    case "drop":
      var xd = xt, yd = yy; // lost at a crashed receiver: drawn up to its lane
      if (e.d !== "crashed") { xd = xf + (xt - xf) / 3; } // lost on the wire: a stub
      if (ys === yy) { yd = yy + ROW / 2; }
      g.appendChild(el("line", { x1: xf, y1: ys, x2: xd, y2: yd, stroke: "#c00", "stroke-dasharray": "4 3" }));
      g.appendChild(el("text", { x: xd, y: yd + 4, fill: "#c00", "text-anchor": "middle" }, "\u2715"));
      g.appendChild(el("text", { x: xd + 8, y: yd + 4, fill: "#c00" }, "lost" + (e.d ? ": " + e.d : "")));
      break;
    case "duplicate":
      g.appendChild(el("text", { x: xf + 6, y: yy + 4, fill: "#a60" }, "dup " + short(e.x || "", 20)));
      break;
    case "timer":
      g.appendChild(el("circle", { cx: xt, cy: yy, r: 4, fill: "#fff", stroke: "#888" }));
      g.appendChild(el("text", { x: xt + 8, y: yy + 4, fill: "#888" }, "timer"));
      break;
    case "start":
      g.appendChild(el("circle", { cx: xt, cy: yy, r: 2, fill: "#888" }));
      break;
    case "observe":
      var col = e.v ? "#c00" : "#960";
      g.appendChild(el("circle", { cx: xt, cy: yy, r: 6, fill: e.v ? "#f66" : "#fc0", stroke: col }));
      g.appendChild(el("text", { x: xt + 10, y: yy + 4, fill: col, "font-weight": "bold" }, short(e.d || "", e.v ? 60 : 30)));
      break;
    case "crash":
    case "restart":
      var cc = e.k === "crash" ? "#c00" : "#080";
      g.appendChild(el("rect", { "class": "mark", x: xt - 7, y: yy - 7, width: 14, height: 14, fill: cc, stroke: cc }));
      g.appendChild(el("text", { x: xt + 12, y: yy + 4, fill: cc }, e.k));
      break;
    default:
      bands.appendChild(el("rect", { x: 0, y: yy - ROW / 2, width: W, height: ROW, fill: "#eee" }));
      g.appendChild(el("text", { x: LEFT, y: yy + 4, fill: "#555" }, e.k + (e.d ? ": " + e.d : "")));
    }
    evs.appendChild(g);
    groups[p] = g;
  });
  var box = $("diagram");
  box.textContent = "";
  box.appendChild(svg);
  items.forEach(function (li, p) { li.style.display = visible(E[p]) ? "" : "none"; });
}

function update() {
  if (pos < 0) { $("event-index").textContent = "-"; $("event-pos").textContent = "no events"; return; }
  var e = E[pos];
  $("event-index").textContent = String(e.i);
  var k = rowOf[pos];
  $("event-pos").textContent = (k === undefined ? "hidden" : (k + 1) + " of " + vis.length) + (vis.length !== E.length ? " shown (" + E.length + " in all)" : "");
  var t = $("event-text");
  t.textContent = e.line;
  t.className = e.v ? "violation" : "";
  $("event-clock").textContent = e.c ? "vector clock " + e.c : "";
  vis.forEach(function (p) {
    var g = groups[p];
    g.setAttribute("class", "ev" + (p === pos ? " current" : p > pos ? " future" : ""));
  });
  items.forEach(function (li, p) {
    li.className = (p === pos ? "current" : p > pos ? "future" : "") + (E[p].v ? " violation" : "");
  });
  if (groups[pos] && groups[pos].scrollIntoView) { groups[pos].scrollIntoView({ block: "nearest", inline: "nearest" }); }
  if (items[pos]) { items[pos].scrollIntoView({ block: "nearest" }); }
}

function go(p) { if (p >= 0 && p < E.length) { pos = p; update(); } }
function step(d) {
  if (!vis.length) { return; }
  var k = rowOf[pos];
  if (k === undefined) { // the current event is filtered out: go to its visible neighbour
    var after = vis.filter(function (p) { return p > pos; });
    var before = vis.filter(function (p) { return p < pos; });
    go(d > 0 ? (after.length ? after[0] : vis[vis.length - 1]) : (before.length ? before[before.length - 1] : vis[0]));
    return;
  }
  go(vis[Math.max(0, Math.min(vis.length - 1, k + d))]);
}
function refilter() {
  fNode = $("filter-node").value; fType = $("filter-type").value; fSlice = $("filter-slice").checked;
  draw();
  if (pos >= 0 && rowOf[pos] === undefined && vis.length) {
    var before = vis.filter(function (p) { return p <= pos; });
    pos = before.length ? before[before.length - 1] : vis[0];
  }
  update();
}
function jumpViolation() {
  var target = D.violation >= 0 ? D.violation : E.length - 1;
  if (target < 0) { return; }
  if (!visible(E[target])) { $("filter-node").value = ""; $("filter-type").value = ""; $("filter-slice").checked = false; refilter(); }
  go(target);
}

header();
draw();
update();
$("first").addEventListener("click", function () { if (vis.length) { go(vis[0]); } });
$("last").addEventListener("click", function () { if (vis.length) { go(vis[vis.length - 1]); } });
$("prev").addEventListener("click", function () { step(-1); });
$("next").addEventListener("click", function () { step(1); });
$("jump-violation").addEventListener("click", jumpViolation);
$("filter-node").addEventListener("change", refilter);
$("filter-type").addEventListener("change", refilter);
$("filter-slice").addEventListener("change", refilter);
var resizing = null;
window.addEventListener("resize", function () { // lanes refit the new width
  clearTimeout(resizing);
  resizing = setTimeout(function () { draw(); update(); }, 150);
});
document.addEventListener("keydown", function (ev) {
  if (ev.target && ev.target.tagName === "SELECT") { return; }
  var k = ev.key;
  if (k === "ArrowRight" || k === "ArrowDown" || k === "j") { step(1); }
  else if (k === "ArrowLeft" || k === "ArrowUp" || k === "k") { step(-1); }
  else if (k === "Home") { if (vis.length) { go(vis[0]); } }
  else if (k === "End") { if (vis.length) { go(vis[vis.length - 1]); } }
  else if (k === "v") { jumpViolation(); }
  else if (k === "c" && D.slice) { $("filter-slice").checked = !$("filter-slice").checked; refilter(); }
  else { return; }
  ev.preventDefault();
});
})();
</script>
</body>
</html>
`
