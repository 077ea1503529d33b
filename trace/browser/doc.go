// Package browser holds the test that opens trace.HTML's viewer in a real
// headless Chromium and drives it as a person would: step through events,
// jump to the violation, take a screenshot. It has no code of its own; it
// lives apart from package trace so that only this test imports chromedp.
//
// The test needs a Chromium binary (Debian: apt-get install chromium) and
// skips, naming that package, where none is installed.
package browser
