// Package graph holds the GraphQL resolvers of auditlog. They are thin: each
// checks the caller's role, converts between GraphQL models and the audit
// vocabulary, and calls the application (package app).
package graph

//go:generate go tool gqlgen generate
