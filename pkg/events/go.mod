module github.com/newsflow/newsflow/pkg/events

go 1.26.0

require golang.org/x/net v0.62.0 // indirect
