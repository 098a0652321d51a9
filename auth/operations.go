package auth

// operations maps every operation of the GraphQL API, as "Type.field", to
// the action it needs: with roles (roles.go) it is the whole role matrix.
// The server checks it before any resolver runs, and refuses operations
// missing here, so a new operation stays closed until it is given a row.
var operations = map[string]Action{
	"Query.events":          Read,
	"Query.event":           Read,
	"Query.components":      Read,
	"Query.component":       Read,
	"Query.savedFilters":    SavedFilters,
	"Query.notifications":   Notifications,
	"Query.viewer":          Viewer,
	"Query.userSuggestions": Read,

	"Mutation.ingestEvent":           Ingest,
	"Mutation.ingestEvents":          Ingest,
	"Mutation.flagEvents":            Flag,
	"Mutation.unflagEvents":          Flag,
	"Mutation.configureComponent":    Configure,
	"Mutation.saveFilter":            SavedFilters,
	"Mutation.updateSavedFilter":     SavedFilters,
	"Mutation.deleteSavedFilter":     SavedFilters,
	"Mutation.exportEvents":          Export,
	"Mutation.markNotificationsRead": Notifications,
}

// fields maps the fields of other types that need more than the operation
// that reaches them, as "Type.field"; their resolvers check it.
var fields = map[string]Action{
	"Component.indices": Operate,
	// Read from the events: Principal.user reaches it under viewer.
	"User.currentAccountStatus": Read,
}

// FieldAction returns the action a field of a non-root type ("Component.indices")
// needs beyond its operation's, and false when it needs none.
func FieldAction(field string) (Action, bool) {
	a, ok := fields[field]
	return a, ok
}

// OperationAction returns the action an operation ("Query.events") needs,
// and false for an operation the matrix does not know.
func OperationAction(op string) (Action, bool) {
	a, ok := operations[op]
	return a, ok
}
