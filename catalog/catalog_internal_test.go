package catalog

import (
	"strings"
	"testing"
)

func TestParseCatalogRejectsBadData(t *testing.T) {
	for name, tc := range map[string]struct{ json, want string }{
		"duplicate code": {`{"components":[{"id":"CMS","areas":[{"area":"A","activities":[
			{"code":"X_Y","name":"a","priority":"LOW"},{"code":"X_Y","name":"b","priority":"LOW"}]}]}]}`, "listed twice"},
		"bad priority": {`{"components":[{"id":"CMS","areas":[{"area":"A","activities":[
			{"code":"X_Y","name":"a","priority":"URGENT"}]}]}]}`, "bad priority"},
		"lower-case code": {`{"components":[{"id":"CMS","areas":[{"area":"A","activities":[
			{"code":"x_y","name":"a","priority":"LOW"}]}]}]}`, "upper snake case"},
		"unknown activitiesOf": {`{"components":[{"id":"OFF","activitiesOf":"ON"}]}`, "not listed before"},
		"bad component id":     {`{"components":[{"id":"cms"}]}`, "bad component id"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseCatalog([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parseCatalog = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestHumanize(t *testing.T) {
	for in, want := range map[string]string{
		"REPORT_EXPORTED":  "Report exported",
		"payroll.run-done": "Payroll run done",
		"X":                "X",
	} {
		if got := Humanize(in); got != want {
			t.Errorf("Humanize(%q) = %q, want %q", in, got, want)
		}
	}
}
