module skynamo

go 1.26.0

require (
	github.com/chzyer/readline v1.5.1
	github.com/cjoudrey/gluahttp v0.0.0-20201111170219-25003d9adfa9
	github.com/creack/pty v1.1.24
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6
	github.com/emersion/go-smtp v0.26.0
	github.com/peterbourgon/diskv/v3 v3.0.1
	github.com/spf13/pflag v1.1.0
	github.com/yuin/gopher-lua v1.1.2
	golang.org/x/term v0.48.0
)

require (
	github.com/google/btree v1.0.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
