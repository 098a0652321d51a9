// Package catalog is the activity catalog of the product modules: their
// components and activities, shipped with the binary. It is static data
// over the audit vocabulary, below the store seam, so the event generator
// and the conformance suite use it without the capture service.
package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/auditlog/auditlog/audit"
)

// catalogJSON is the activity catalog of the product page, shipped with the
// binary so that every tenant starts with the same modules and activities.
//
//go:embed catalog.json
var catalogJSON []byte

// ServiceComponent is the component of auditlog's own trail: configuration
// changes, flags, exports and key changes. Only the service writes it, and
// its capture cannot be narrowed, so an admin cannot erase their tracks.
const ServiceComponent = "AUDITLOG"

// Component is a product module the catalog knows.
type Component struct {
	ID          string
	Name        string
	Description string
	// Activities are ordered as on the product page, grouped by area.
	Activities []audit.Activity
}

// Catalog is the read-only activity catalog. It is safe for concurrent use.
type Catalog struct {
	components []Component
	byID       map[string]int
	activities map[string]map[string]audit.Activity // component → code → activity
}

type catalogFile struct {
	Components []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		// ActivitiesOf names a component whose activities this one shares
		// (OFFBOARDING is the onboarding module under another id).
		ActivitiesOf string `json:"activitiesOf"`
		Areas        []struct {
			Area       string `json:"area"`
			Activities []struct {
				Code     string         `json:"code"`
				Name     string         `json:"name"`
				Priority audit.Priority `json:"priority"`
			} `json:"activities"`
		} `json:"areas"`
	} `json:"components"`
}

// Load parses the embedded catalog.
func Load() (*Catalog, error) {
	return parseCatalog(catalogJSON)
}

func parseCatalog(data []byte) (*Catalog, error) {
	var f catalogFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parse activity catalog: %w", err)
	}
	c := &Catalog{byID: map[string]int{}, activities: map[string]map[string]audit.Activity{}}
	for _, fc := range f.Components {
		if !audit.ValidComponentID(fc.ID) {
			return nil, fmt.Errorf("activity catalog: bad component id %q", fc.ID)
		}
		if _, dup := c.byID[fc.ID]; dup {
			return nil, fmt.Errorf("activity catalog: component %s listed twice", fc.ID)
		}
		cc := Component{ID: fc.ID, Name: fc.Name, Description: fc.Description}
		if fc.ActivitiesOf != "" {
			i, ok := c.byID[fc.ActivitiesOf]
			if !ok {
				return nil, fmt.Errorf("activity catalog: %s takes activities of %s, which is not listed before it", fc.ID, fc.ActivitiesOf)
			}
			cc.Activities = append([]audit.Activity(nil), c.components[i].Activities...)
		}
		for _, area := range fc.Areas {
			for _, a := range area.Activities {
				cc.Activities = append(cc.Activities, audit.Activity{
					Code: a.Code, Name: a.Name, Area: area.Area, DefaultPriority: a.Priority,
				})
			}
		}
		byCode := make(map[string]audit.Activity, len(cc.Activities))
		for _, a := range cc.Activities {
			if !isUpperSnake(a.Code) {
				return nil, fmt.Errorf("activity catalog: %s: code %q is not upper snake case", fc.ID, a.Code)
			}
			if !a.DefaultPriority.Valid() {
				return nil, fmt.Errorf("activity catalog: %s.%s: bad priority %q", fc.ID, a.Code, a.DefaultPriority)
			}
			if _, dup := byCode[a.Code]; dup {
				return nil, fmt.Errorf("activity catalog: %s: code %s listed twice", fc.ID, a.Code)
			}
			byCode[a.Code] = a
		}
		c.byID[fc.ID] = len(c.components)
		c.components = append(c.components, cc)
		c.activities[fc.ID] = byCode
	}
	return c, nil
}

func isUpperSnake(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Components returns the catalog's components in catalog order. The caller
// must not modify the result.
func (c *Catalog) Components() []Component { return c.components }

// Component returns one component of the catalog.
func (c *Catalog) Component(id string) (Component, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Component{}, false
	}
	return c.components[i], true
}

// Activity returns a catalog activity of a component.
func (c *Catalog) Activity(componentID, code string) (audit.Activity, bool) {
	a, ok := c.activities[componentID][code]
	return a, ok
}

// Humanize turns an event type code the catalog does not know into a
// display name: "REPORT_EXPORTED" → "Report exported".
func Humanize(code string) string {
	words := strings.FieldsFunc(code, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ':' })
	for i, w := range words {
		w = strings.ToLower(w)
		if i == 0 {
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			w = string(r)
		}
		words[i] = w
	}
	if len(words) == 0 {
		return code
	}
	return strings.Join(words, " ")
}
