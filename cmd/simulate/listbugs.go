package main

import "fmt"

// bugLine is one line of --list-bugs: the name (what --bug takes) first,
// then what the bug breaks and, if it needs more than the switch to show,
// what and with which flags. The descriptions are data of the protocol
// packages (pbft.BugInfos, paxos.Bugs); the CLI only prints them.
func bugLine(name, description, needs string) string {
	line := fmt.Sprintf("%-20s %s", name, description)
	if needs != "" {
		line += " (needs " + needs + ")"
	}
	return line
}
