package extract

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func readAll(t testing.TB, p pageParts) string {
	b, err := io.ReadAll(p.reader())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// What dropAttrs keeps of a page: attributes no one reads go, everything
// else stays byte for byte, and it stops filtering where the tokenizer's
// reading would not be mirrored.
func TestDropAttrs(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"unread attributes", `<div class="a" onclick="x()" data-id=7 id=b>t</div>`, `<div class="a"   id=b>t</div>`},
		{"kept ones in any case", `<P CLASS=x Data-Src=y DATA-X=z>`, `<P CLASS=x Data-Src=y >`},
		{"value with > and quotes", `<a href="/x" title='a>b' onmouseover="f('>')">t</a>`, `<a href="/x" title='a>b' >t</a>`},
		{"spaces around =", `<img alt = "x" src=y>`, `<img  src=y>`},
		{"= before >", `<img alt= >`, `<img >`},
		{"unquoted value keeps self-closing reading", `<br data-x=1/>`, `<br >`},
		{"self-closing after a dropped key", `<br data-x/>`, `<br />`},
		{"only after white space", `<div/data-x=1 class=a"b"data-y=2>`, `<div/data-x=1 class=a"b"data-y=2>`},
		{"formatting elements keep all", `<b onclick=x>t</b><font face=x size=2>u</font>`, `<b onclick=x>t</b><font face=x size=2>u</font>`},
		{"end tags untouched", `<p>t</p data-x=1>`, `<p>t</p data-x=1>`},
		{"raw text is text", `<title><p onclick=x></title><p onclick=y>`, `<title><p onclick=x></title><p >`},
		{"textarea until its end tag only", `<textarea></textareax><b onclick=1></textarea ><i data-a=1>`, `<textarea></textareax><b onclick=1></textarea ><i data-a=1>`},
		{"noscript", `<noscript><img src=a width=1></noscript><img src=b width=1>`, `<noscript><img src=a width=1></noscript><img src=b >`},
		{"text with <", `a < b <3 <<p data-x=1>`, `a < b <3 <<p >`},
		{"doctype and bogus comments", `<!DOCTYPE html><?xml x="<p data-a=1>"?><p data-b=1></ x><p data-c=1>`, `<!DOCTYPE html><?xml x="<p data-a=1>"?><p ></ x><p >`},
		{"stops at a comment left open", `<p data-a=1><!-- <p data-b=1>`, `<p ><!-- <p data-b=1>`},
		{"stops at CDATA", `<p data-a=1><![CDATA[<p data-b=1>]]><p data-c=1>`, `<p ><![CDATA[<p data-b=1>]]><p data-c=1>`},
		{"stops at math", `<p data-a=1><math><mi data-b=1>x</mi></math>`, `<p ><math><mi data-b=1>x</mi></math>`},
		{"stops at plaintext", `<plaintext data-a=1><p data-b=1>`, `<plaintext data-a=1><p data-b=1>`},
		{"stops at an unfinished tag", `<p data-a=1><div data-b="1`, `<p ><div data-b="1`},
		{"script and style bodies are gone", `<script async src=x>var a='<p data-x=1>'</script><p data-y=1>`, `<script  src=x></script><p >`},
		{"json-ld kept and skipped", `<script type="application/ld+json">{"a":"<p data-x=1>"}</script><p data-y=1>`, `<script type="application/ld+json">{"a":"<p data-x=1>"}</script><p >`},
		{"escaped script", `<script type="application/ld+json"><!-- </script> --></script><p data-y=1>`, `<script type="application/ld+json"><!-- </script> --></script><p data-y=1>`},
		{"svg", `<svg width=1 viewBox="0 0 1 1"><path d="M0"/></svg><p data-y=1>`, `<svg  ></svg><p >`},
		{"comments are gone", `<p data-a=1><!-- x --><p data-b=1>`, `<p ><p >`},
		{"tag cut by a comment", `<p data-a=1><p<!-- x --> data-b=1>`, `<p ><p data-b=1>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := readAll(t, stripScripts(c.in).dropAttrs()); got != c.want {
				t.Errorf("dropAttrs(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			sameTree(t, c.in)
		})
	}
}

// sameTree checks that the tree parsed from the filtered stream is the tree
// parsed from the unfiltered one but for attributes that are not kept
// (which may also differ otherwise: in <a x=1 x=2"x=3">, dropping the
// first x lets the tokenizer keep the last, which stays because no white
// space precedes it).
func sameTree(t testing.TB, page string) {
	t.Helper()
	parts := stripScripts(page)
	want, err1 := html.Parse(parts.reader())
	got, err2 := html.Parse(parts.dropAttrs().reader())
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("parse errors differ: %v, %v", err1, err2)
	}
	if err1 != nil {
		return
	}
	var cmp func(a, b *html.Node, path string)
	cmp = func(a, b *html.Node, path string) {
		if a.Type != b.Type || a.DataAtom != b.DataAtom || a.Data != b.Data || a.Namespace != b.Namespace {
			t.Fatalf("%s: node %v %q differs from %v %q", path, a.Type, a.Data, b.Type, b.Data)
		}
		if ka, kb := keptOnly(a.Attr), keptOnly(b.Attr); !slices.Equal(ka, kb) {
			t.Fatalf("%s/%s: kept attributes %v became %v", path, a.Data, ka, kb)
		}
		ca, cb := a.FirstChild, b.FirstChild
		for i := 0; ca != nil || cb != nil; i++ {
			if ca == nil || cb == nil {
				t.Fatalf("%s/%s: children differ in number", path, a.Data)
			}
			cmp(ca, cb, path+"/"+a.Data+"["+strconv.Itoa(i)+"]")
			ca, cb = ca.NextSibling, cb.NextSibling
		}
	}
	cmp(want, got, "")
}

// The test pages and, when NEWSFLOW_DEV_CORPUS names it, the dev corpus
// parse to the same trees with and without the attributes dropped.
func TestDropAttrsPages(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testdata, "*", "*.html"))
	if dir := os.Getenv("NEWSFLOW_DEV_CORPUS"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "pages", "*.html"))
		files = append(files, more...)
	}
	if len(files) < 5 {
		t.Fatalf("only %d test pages", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) { sameTree(t, string(b)) })
	}
	for _, p := range pathologicalPages() {
		t.Run(p.name, func(t *testing.T) { sameTree(t, p.html) })
	}
}

func keptOnly(attrs []html.Attribute) []html.Attribute {
	var out []html.Attribute
	for _, a := range attrs {
		if a.Namespace == "" && keptAttr(strings.ToLower(a.Key)) {
			out = append(out, a)
		}
	}
	return out
}

func FuzzDropAttrs(f *testing.F) {
	for _, s := range []string{
		`<div class="a" onclick="x()" data-id=7 id=b>t</div>`,
		`<title><p onclick=x></title><p onclick=y>`,
		`<br data-x=1/><br data-x/><img alt= ><div/data-x=1 class=a"b"data-y=2>`,
		`<table><input type=hidden data-x=1><tr><td data-y=2>x</table>`,
		`<a href=1 data-x=1><a href=1 data-x=2><b x=1><b x=2><b x=3><b x=4>t`,
		`<svg data-x=1><p data-y=2></svg><math><p data-z=1></math>`,
		`<script type="application/ld+json">{"a":"</scripts><p data-x=1>"}</script><p data-y=1>`,
		`<noscript><img src=a width=1></noscript><iframe data-x=1><p data-y=1></iframe>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		sameTree(t, s)
	})
}

// Every attribute the package reads is kept (keptAttr): the keys given to
// attr, attrOK, hasAttr and firstWithAttr (as literals, or as the
// variable of a range over a literal list) and the cases of
// pageIndex.add; no other code reads Node.Attr.
func TestKeptAttrsCoverReads(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	readers := map[string]int{"attr": 1, "attrOK": 1, "hasAttr": 1, "firstWithAttr": 1}
	attrUsers := map[string]bool{"attr": true, "attrOK": true, "hasAttr": true, "add": true, "cloneTree": true}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Range variables over literal string lists.
		lists := map[string][]string{}
		ast.Inspect(f, func(n ast.Node) bool {
			if r, ok := n.(*ast.RangeStmt); ok {
				if v, ok := r.Value.(*ast.Ident); ok {
					if cl, ok := r.X.(*ast.CompositeLit); ok {
						for _, e := range cl.Elts {
							if s, ok := stringLit(e); ok {
								lists[v.Name] = append(lists[v.Name], s)
							}
						}
					}
				}
			}
			return true
		})
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					if n.Sel.Name == "Attr" && !attrUsers[fn.Name.Name] {
						t.Errorf("%s: %s reads Node.Attr directly; read it through attr or add its keys here", fset.Position(n.Pos()), fn.Name.Name)
					}
				case *ast.CallExpr:
					id, ok := n.Fun.(*ast.Ident)
					if !ok {
						return true
					}
					i, ok := readers[id.Name]
					if !ok || len(n.Args) <= i {
						return true
					}
					var keys []string
					if s, ok := stringLit(n.Args[i]); ok {
						keys = []string{s}
					} else if v, ok := n.Args[i].(*ast.Ident); ok && lists[v.Name] != nil {
						keys = lists[v.Name]
					} else if _, fwd := readers[fn.Name.Name]; !fwd {
						// (A reader passing on its own key parameter is
						// checked at its callers.)
						t.Errorf("%s: %s with a key that is not a literal", fset.Position(n.Pos()), id.Name)
					}
					for _, k := range keys {
						checked++
						if !keptAttr(k) {
							t.Errorf("%s: %s reads %q, which dropAttrs drops", fset.Position(n.Pos()), id.Name, k)
						}
					}
				case *ast.CaseClause:
					if fn.Name.Name != "add" {
						return true
					}
					for _, e := range n.List {
						if s, ok := stringLit(e); ok {
							checked++
							if !keptAttr(s) {
								t.Errorf("%s: pageIndex.add reads %q, which dropAttrs drops", fset.Position(e.Pos()), s)
							}
						}
					}
				}
				return true
			})
		}
	}
	if checked < 30 {
		t.Errorf("checked only %d keys: is the scan still finding the reads?", checked)
	}
}

func stringLit(e ast.Expr) (string, bool) {
	l, ok := e.(*ast.BasicLit)
	if !ok || l.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(l.Value)
	return s, err == nil
}
