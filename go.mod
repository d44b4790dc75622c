module skynamo

go 1.26

require (
	github.com/cjoudrey/gluahttp v0.0.0-20201111170219-25003d9adfa9
	github.com/peterbourgon/diskv/v3 v3.0.1
	github.com/spf13/pflag v1.1.0
	github.com/yuin/gopher-lua v1.1.2
)

require github.com/google/btree v1.0.0 // indirect
