package extract

import (
	"fmt"
	"os"
	"testing"

	"github.com/newsflow/newsflow/pkg/events"
)

func TestDbg(t *testing.T) {
	debug = os.Getenv("DEBUG") != ""
	b, _ := os.ReadFile(os.Getenv("PAGE"))
	a, err := Article(&events.Page{SchemaVersion: 1, ID: "x", URL: "https://www.example.com/a", FetchedAt: fetchedAt, HTML: string(b)})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(len(a.Text), a.Text[:min(300, len(a.Text))])
}
