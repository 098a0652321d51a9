// Package archtest holds the rules of the project's floors, checked with
// `go list`: the store seam and its backends stand on the vocabulary and
// pure rule packages only, and the API layer does not reach past the seam
// into a backend.
package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/auditlog/auditlog"

// belowTheSeam are the project packages any package under store/ may
// depend on, besides store/ itself: the vocabulary, error kinds and pure
// rules, none of which imports a store.
var belowTheSeam = []string{"audit", "catalog", "errs", "eventgen", "retention"}

// backends are the store implementations only cmd/ and tests wire in.
var backends = []string{"store/sqlite", "store/opensearch"}

// deps returns, for every package of the module, the module's packages it
// depends on (transitively, tests excluded), as paths relative to the
// module. go list fails on an import cycle, which fails the test too.
func deps(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	all := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		pkg, ok := local(f[0])
		if !ok {
			continue
		}
		var own []string
		for _, d := range f[1:] {
			if d, ok := local(d); ok {
				own = append(own, d)
			}
		}
		all[pkg] = own
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(all) < 10 {
		t.Fatalf("go list found %d packages of the module; is the test run from inside it?", len(all))
	}
	return all
}

func local(path string) (string, bool) {
	if path == module {
		return "", true
	}
	return strings.CutPrefix(path, module+"/")
}

func under(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

// TestStoreDependsOnlyOnWhatIsBelowTheSeam: a package under store/
// depends on nothing of the project but store/ and the packages below the
// seam, so that what a backend does cannot depend on the application
// above it (and the application can be rebuilt without touching it). One
// backend does not depend on another.
func TestStoreDependsOnlyOnWhatIsBelowTheSeam(t *testing.T) {
	all := deps(t)
	checked := 0
	for pkg, ds := range all {
		if !under(pkg, "store") {
			continue
		}
		checked++
		for _, d := range ds {
			switch {
			case slices.Contains(belowTheSeam, d):
			case under(d, "store") && !slices.ContainsFunc(backends, func(b string) bool { return under(d, b) && !under(pkg, b) }):
			default:
				t.Errorf("%s depends on %s: a package under store/ may depend only on store/ and %v", pkg, d, belowTheSeam)
			}
		}
	}
	if checked < 4 {
		t.Errorf("checked %d packages under store/, want the seam, both backends and the conformance suite", checked)
	}
	// What is below the seam is below it too.
	for _, pkg := range belowTheSeam {
		for _, d := range all[pkg] {
			if !slices.Contains(belowTheSeam, d) {
				t.Errorf("%s, below the seam, depends on %s", pkg, d)
			}
		}
	}
}

// TestAPIDoesNotReachABackend: graph and server use the store through the
// application, whichever backend cmd/ wires in.
func TestAPIDoesNotReachABackend(t *testing.T) {
	all := deps(t)
	for _, pkg := range []string{"app", "graph", "server"} {
		ds, ok := all[pkg]
		if !ok {
			t.Errorf("no package %s", pkg)
		}
		for _, d := range ds {
			for _, b := range backends {
				if under(d, b) {
					t.Errorf("%s depends on the backend %s", pkg, d)
				}
			}
		}
	}
}
