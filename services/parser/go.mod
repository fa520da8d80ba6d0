module github.com/newsflow/newsflow/services/parser

go 1.26.0

require (
	github.com/PuerkitoBio/goquery v1.13.0
	github.com/newsflow/newsflow/pkg/events v0.0.0
	golang.org/x/net v0.62.0
)

require (
	github.com/andybalholm/cascadia v1.3.4 // indirect
	github.com/newsflow/newsflow/pkg/service v0.0.0
)

replace github.com/newsflow/newsflow/pkg/events => ../../pkg/events

replace github.com/newsflow/newsflow/pkg/service => ../../pkg/service
