package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"simulate/output"
	"simulate/trace"
)

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		var as, out string
		cmd := &cobra.Command{
			Use:   "render TRACE",
			Short: "Draw a recorded trace: Mermaid, SVG, an interactive HTML viewer, ShiViz or text",
			Long: `render draws a trace written with --trace: one lane per node, an arrow
per delivered message, lost messages crossed out, crashes, restarts,
partitions and decisions marked, traitors in red.

  --as mermaid   a Mermaid sequenceDiagram to paste into Markdown notes
  --as svg       a standalone SVG picture
  --as html      one self-contained page to open in a browser: step through
                 the run (buttons or arrow keys), filter by node and message
                 type, jump to the event where a property broke
  --as shiviz    a vector-clock log for ShiViz (the first line is its parser
                 expression; upload the file as it is)
  --as text      one readable line per event`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				var render func(trace.File) string
				switch as {
				case "mermaid":
					render = trace.Mermaid
				case "svg":
					render = trace.SVG
				case "html":
					render = trace.HTML
				case "shiviz":
					render = trace.ShiViz
				case "text":
					render = func(f trace.File) string { return trace.Text(f.Events) }
				default:
					return badInput("--as %q: want mermaid, svg, html, shiviz or text", as)
				}
				if out != "" && out != "-" && output.SameFile(args[0], out) {
					return badInput("-o %s: that is the trace being rendered; write the drawing to another file", out)
				}
				f, err := trace.ReadFile(args[0])
				if err != nil {
					return badInput("%v", err)
				}
				text := render(f)
				if out == "" || out == "-" {
					_, err := io.WriteString(cmd.OutOrStdout(), text)
					return err
				}
				if err := output.Write(out, func(w io.Writer) error { _, err := io.WriteString(w, text); return err }); err != nil {
					return badInput("-o: %v", err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
				return nil
			},
		}
		cmd.Flags().StringVar(&as, "as", "mermaid", "diagram format: mermaid, svg, html, shiviz or text")
		cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
		return cmd
	})
}
