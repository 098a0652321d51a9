package opensearch

import (
	"encoding/json"
	"testing"
)

// TestMappingsAreBuiltFreshEachTime: the mappings are plain maps; a change
// to one built mapping (or a part of it) must not show in any other.
func TestMappingsAreBuiltFreshEachTime(t *testing.T) {
	render := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	wantEvents, wantSmall := render(eventMapping()), render(smallIndexMappings())

	// Scribble over every nested map of one copy of each.
	var scribble func(v any)
	scribble = func(v any) {
		if m, ok := v.(obj); ok {
			for k, child := range m {
				scribble(child)
				if _, nested := child.(obj); !nested {
					m[k] = "scribbled"
				}
			}
		}
	}
	scribble(eventMapping())
	for _, m := range smallIndexMappings() {
		scribble(m)
	}
	scribble(normalizers())

	if got := render(eventMapping()); got != wantEvents {
		t.Errorf("event mapping changed after another copy was modified:\n got  %s\n want %s", got, wantEvents)
	}
	if got := render(smallIndexMappings()); got != wantSmall {
		t.Errorf("small index mappings changed after another copy was modified:\n got  %s\n want %s", got, wantSmall)
	}
}
