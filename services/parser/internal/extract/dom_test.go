package extract

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/net/html"
)

// cloneTree is a deep copy of the tree below n. The nodes are allocated
// in one block; attribute lists are shared with the original, which is
// safe because the extractor never changes an attribute.
func cloneTree(n *html.Node) *html.Node {
	count := 0
	var size func(*html.Node)
	size = func(n *html.Node) {
		count++
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			size(c)
		}
	}
	size(n)
	slab := make([]html.Node, count)
	next := 0
	var cp func(*html.Node, *html.Node) *html.Node
	cp = func(n, parent *html.Node) *html.Node {
		c := &slab[next]
		next++
		c.Type, c.DataAtom, c.Data, c.Namespace, c.Attr, c.Parent = n.Type, n.DataAtom, n.Data, n.Namespace, n.Attr, parent
		var prev *html.Node
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			cc := cp(ch, c)
			if prev == nil {
				c.FirstChild = cc
			} else {
				prev.NextSibling, cc.PrevSibling = cc, prev
			}
			prev = cc
		}
		c.LastChild = prev
		return c
	}
	return cp(n, nil)
}

// Every attempt of the body extractor leaves, after undo, the tree it was
// given: the same nodes in the same places, the same tags.
func TestTreeLogUndo(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testdata, "*", "*.html"))
	if dir := os.Getenv("NEWSFLOW_DEV_CORPUS"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "pages", "*.html"))
		files = append(files, more...)
	}
	pages := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[filepath.Base(f)] = string(b)
	}
	for _, p := range pathologicalPages() {
		if len(p.html) < 1<<20 {
			pages[p.name] = p.html
		}
	}
	for name, page := range pages {
		doc, err := html.Parse(stripScripts(page).dropAttrs().reader())
		if err != nil {
			continue
		}
		m := readMetadata(doc, nil)
		cleanDocument(doc)
		for _, f := range []flags{allFlags, allFlags &^ flagStripUnlikely, 0} {
			before := cloneTree(doc)
			var nodes []*html.Node
			walk(doc, func(n *html.Node) bool { nodes = append(nodes, n); return true })
			var log treeLog
			ce := &contentExtractor{flags: f, title: m.title, description: m.description, log: &log}
			if c := ce.grab(doc); c != nil {
				ce.prepare(c)
			}
			log.undo()
			if !equalTrees(before, doc) {
				t.Fatalf("%s, flags %b: the tree differs after undo", name, f)
			}
			k := 0
			walk(doc, func(n *html.Node) bool {
				if k >= len(nodes) || nodes[k] != n {
					t.Fatalf("%s, flags %b: node %d is not the same node after undo", name, f, k)
				}
				k++
				return true
			})
		}
	}
}

func equalTrees(a, b *html.Node) bool {
	if a.Type != b.Type || a.DataAtom != b.DataAtom || a.Data != b.Data || a.Namespace != b.Namespace || len(a.Attr) != len(b.Attr) {
		return false
	}
	ca, cb := a.FirstChild, b.FirstChild
	for ; ca != nil && cb != nil; ca, cb = ca.NextSibling, cb.NextSibling {
		if ca.Parent != a || cb.Parent != b || !equalTrees(ca, cb) {
			return false
		}
	}
	return ca == nil && cb == nil && (a.LastChild == nil) == (b.LastChild == nil)
}
