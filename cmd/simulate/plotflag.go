package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"simulate/output"
	"simulate/plot"
)

// checkPlotPath validates a --plot file name before any run starts.
func checkPlotPath(path string) error {
	if path == "" {
		return nil
	}
	if _, err := plot.FormatOf(path); err != nil {
		return badInput("%v", err)
	}
	// A sweep can take hours: learn now, not after it, that the picture
	// cannot be written.
	if err := output.CheckWritable(path); err != nil {
		return badInput("--plot: %v", err)
	}
	return nil
}

// writePlot draws f to path (SVG or PNG by extension), atomically; nothing
// when path is empty.
func writePlot(cmd *cobra.Command, path string, f plot.Figure) error {
	if path == "" {
		return nil
	}
	format, err := plot.FormatOf(path)
	if err != nil {
		return badInput("%v", err)
	}
	if err := output.Write(path, func(w io.Writer) error { return plot.Write(w, format, f) }); err != nil {
		return badInput("--plot: %v", err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", path)
	return nil
}
