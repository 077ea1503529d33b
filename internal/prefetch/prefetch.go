// Package prefetch asks the processor to start loading memory that is about
// to be read. It changes no value, only how soon a later read is served.
package prefetch
