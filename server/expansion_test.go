package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// bomb returns the root selection of `{ ...F0 }` where each of n fragments
// spreads the next one twice and the last selects leaf, as validation
// leaves it (spreads pointing at their definitions).
func bomb(n int, leaf ast.SelectionSet) ast.SelectionSet {
	def := &ast.FragmentDefinition{Name: fmt.Sprintf("F%d", n-1), SelectionSet: leaf}
	for i := n - 2; i >= 0; i-- {
		next := def
		def = &ast.FragmentDefinition{Name: fmt.Sprintf("F%d", i), SelectionSet: ast.SelectionSet{
			&ast.FragmentSpread{Name: next.Name, Definition: next},
			&ast.FragmentSpread{Name: next.Name, Definition: next},
		}}
	}
	return ast.SelectionSet{&ast.FragmentSpread{Name: def.Name, Definition: def}}
}

func field(name string, sub ...ast.Selection) *ast.Field {
	return &ast.Field{Name: name, Alias: name, SelectionSet: sub}
}

// TestWalksLookIntoEachFragmentOnce: the schema check, the depth limit and
// the expansion count answer for 64 fragments each spreading the next
// twice (2^63 expanded fields), which only a walk that looks into each
// fragment once can do. A minute is a guard against hanging, not a
// measure.
func TestWalksLookIntoEachFragmentOnce(t *testing.T) {
	leaf := ast.SelectionSet{field("viewer", field("tenant"))}
	set := bomb(64, leaf)
	type answers struct {
		depth, fields int
		asks          bool
	}
	done := make(chan answers, 1)
	go func() {
		done <- answers{selectionDepth(set), expandedFields(set, 50000), asksSchema(set)}
	}()
	select {
	case got := <-done:
		if got != (answers{depth: 2, fields: 50001, asks: false}) {
			t.Errorf("got %+v, want depth 2, over 50000 fields, no schema asked", got)
		}
	case <-time.After(time.Minute):
		t.Fatal("the walks expand fragments at every spread")
	}

	// A fragment asking for the schema is found through the spreads.
	schema := bomb(64, ast.SelectionSet{field("__schema", field("queryType", field("name")))})
	if !asksSchema(schema) {
		t.Error("__schema behind fragments not found")
	}
	// Exact counts below the limit, fragments spread twice counted twice,
	// as gqlgen's complexity counts them.
	if n := expandedFields(bomb(4, leaf), 50000); n != 16 {
		t.Errorf("4 fragments over 2 fields: %d fields, want 16", n)
	}
	if d := selectionDepth(bomb(4, ast.SelectionSet{field("a", field("b", field("c")))})); d != 3 {
		t.Errorf("depth %d, want 3", d)
	}
}
