module github.com/newsflow/newsflow/services/indexer

go 1.26

require github.com/newsflow/newsflow/pkg/events v0.0.0

replace github.com/newsflow/newsflow/pkg/events => ../../pkg/events
