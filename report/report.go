// Package report renders result tables in the formats every command offers:
// a human table (tablewriter), Markdown, CSV and JSON. Commands build a
// Table; they never format by hand, so every output looks alike.
package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Formats lists the accepted --format values.
var Formats = []string{"table", "markdown", "csv", "json"}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f string) bool {
	for _, x := range Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Table is a titled grid of cells with optional notes printed under it.
type Table struct {
	// Name is the table's short name for --table (a command that prints
	// several); empty means its position, 1, 2, ...
	Name   string
	Title  string
	Header []string
	Rows   [][]string
	Notes  []string
}

// Write renders t in format ("table", "markdown" or "csv"). JSON is not a
// table format: commands marshal their own documented structs with WriteJSON.
//
// If w is a Selector, it decides first whether t is shown at all.
func Write(w io.Writer, format string, t Table) error {
	if s, ok := w.(Selector); ok && !s.Select(t) {
		return nil
	}
	switch format {
	case "csv":
		header, rows := Machine(t)
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		if err := cw.WriteAll(rows); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	case "markdown":
		if t.Title != "" {
			fmt.Fprintf(w, "### %s\n\n", t.Title)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(escape(t.Header), " | "))
		seps := make([]string, len(t.Header))
		for i := range seps {
			seps[i] = "---"
		}
		fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
		for _, r := range t.Rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(escape(r), " | "))
		}
		writeNotes(w, t.Notes, true)
		return nil
	default:
		if t.Title != "" {
			fmt.Fprintln(w, t.Title)
		}
		tbl := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAutoWrap(tw.WrapNone))
		tbl.Header(anyRow(t.Header)...)
		for _, r := range t.Rows {
			if err := tbl.Append(anyRow(r)...); err != nil {
				return err
			}
		}
		if err := tbl.Render(); err != nil {
			return err
		}
		writeNotes(w, t.Notes, false)
		return nil
	}
}

// Selector is a writer that chooses which of the tables written to it
// appear: the CLI's --table, and CSV's one table per invocation.
type Selector interface {
	Select(t Table) bool
}

func writeNotes(w io.Writer, notes []string, md bool) {
	if len(notes) == 0 {
		return
	}
	fmt.Fprintln(w)
	for _, n := range notes {
		if md {
			fmt.Fprintf(w, "%s\n\n", n)
		} else {
			fmt.Fprintln(w, Wrap(n, ProseWidth))
		}
	}
}

// ProseWidth is the column at which human output wraps its prose (the
// notes under a table): a terminal's 80, so nothing runs off a standard
// window or a printed page. Tables are as wide as their cells, and a title
// stays one line, the table's name that scripts and tests look for.
const ProseWidth = 80

// Wrap breaks s into lines of at most width characters (runes) at spaces,
// keeping the line breaks already in s. A word longer than width stays
// whole on a line of its own.
func Wrap(s string, width int) string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, n := "", 0
		for _, word := range strings.Fields(para) {
			wl := utf8.RuneCountInString(word)
			switch {
			case n == 0:
				line, n = word, wl
			case n+1+wl <= width:
				line, n = line+" "+word, n+1+wl
			default:
				out = append(out, line)
				line, n = word, wl
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func anyRow(r []string) []any {
	out := make([]any, len(r))
	for i, s := range r {
		out[i] = s
	}
	return out
}

func escape(r []string) []string {
	out := make([]string, len(r))
	for i, s := range r {
		out[i] = strings.ReplaceAll(s, "|", `\|`)
	}
	return out
}
