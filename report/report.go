// Package report renders result tables in the formats every command offers:
// a human table (tablewriter), Markdown, CSV and JSON. Commands build a
// Table; they never format by hand, so every output looks alike.
package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
	Title  string
	Header []string
	Rows   [][]string
	Notes  []string
}

// Write renders t in format ("table", "markdown" or "csv"). JSON is not a
// table format: commands marshal their own documented structs with WriteJSON.
func Write(w io.Writer, format string, t Table) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(t.Header); err != nil {
			return err
		}
		if err := cw.WriteAll(t.Rows); err != nil {
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

func writeNotes(w io.Writer, notes []string, md bool) {
	if len(notes) == 0 {
		return
	}
	fmt.Fprintln(w)
	for _, n := range notes {
		if md {
			fmt.Fprintf(w, "%s\n\n", n)
		} else {
			fmt.Fprintln(w, n)
		}
	}
}

// WriteJSON writes v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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
