package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"simulate/trace"
)

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		var as, out string
		cmd := &cobra.Command{
			Use:   "render TRACE",
			Short: "Draw a recorded trace as a space-time diagram (Mermaid, SVG or text)",
			Long: `render draws a trace written with --trace: one lane per node, an arrow
per delivered message, lost messages crossed out, crashes, restarts,
partitions and decisions marked, traitors in red.

  --as mermaid   a Mermaid sequenceDiagram to paste into Markdown notes
  --as svg       a standalone SVG picture
  --as text      one readable line per event`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				var render func(trace.File) string
				switch as {
				case "mermaid":
					render = trace.Mermaid
				case "svg":
					render = trace.SVG
				case "text":
					render = func(f trace.File) string { return trace.Text(f.Events) }
				default:
					return badInput("--as %q: want mermaid, svg or text", as)
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
				if err := trace.WriteAtomic(out, func(w io.Writer) error { _, err := io.WriteString(w, text); return err }); err != nil {
					return badInput("-o: %v", err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
				return nil
			},
		}
		cmd.Flags().StringVar(&as, "as", "mermaid", "diagram format: mermaid, svg or text")
		cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
		return cmd
	})
}
