package session

// pauseStatus says where the engine may keep a status line while lossless
// tracing pauses the command for more than a second: stderr when it is a
// terminal that nothing else of the trace writes to (the trace goes to a
// file, or to stdout that is not a terminal; scripts print elsewhere).
func (p *Plan) pauseStatus() bool {
	if !isTerminal(p.Stderr) {
		return false
	}
	if len(p.Scripts) > 0 && p.ScriptOutput == "" {
		return false
	}
	return p.Output != "" || len(p.Command) == 0 && !isTerminal(p.Stdout)
}
