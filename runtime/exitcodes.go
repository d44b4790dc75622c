package runtime

// Exit codes are part of the command-line interface: cron jobs and CI steps
// branch on them, so a code never changes meaning once released. The table
// below is printed by `skynamo --help` and copied to the README.
const (
	ExitOK          = 0   // the script finished
	ExitScriptError = 1   // the script raised a Lua runtime error
	ExitUsage       = 2   // bad command, flag, argument or configuration
	ExitLoad        = 3   // the script does not load: missing file or syntax error
	ExitAPI         = 4   // the Skynamo API failed or refused the credentials
	ExitPartial     = 5   // partial: a pull stopped by quota (data kept) or a write where some items failed
	ExitInterrupted = 130 // interrupted (Ctrl-C, SIGTERM); 128+SIGINT as shells report it
)

// exitCodeDoc is one row of the exit-code table.
type exitCodeDoc struct {
	Code int
	Text string
}

// exitCodeTable lists the exit codes in the order --help prints them. It is a
// function, not a variable, so nothing can change the table at run time.
func exitCodeTable() []exitCodeDoc {
	return []exitCodeDoc{
		{ExitOK, "success"},
		{ExitScriptError, "script error: the Lua script raised an error"},
		{ExitUsage, "usage: bad command, flag, argument or configuration"},
		{ExitLoad, "the script does not load: missing file or syntax error"},
		{ExitAPI, "API or authentication error"},
		{ExitPartial, "partial: a pull stopped by the quota or --max-requests with data kept, data that kept changing, or a write where some items failed"},
		{ExitInterrupted, "interrupted (Ctrl-C)"},
	}
}
