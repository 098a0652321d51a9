import { graphql } from '../gql';

// Every operation of the console, typed from ../schema.graphqls by
// `npm run codegen`.

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      tenant
      role
      keyId
      user { id name email }
    }
  }
`);

export const ComponentsQuery = graphql(`
  query Components {
    components {
      id
      name
      loggingEnabled
      updatedAt
      version
    }
  }
`);

export const ComponentActivitiesQuery = graphql(`
  query ComponentActivities($id: ID!) {
    component(id: $id) {
      id
      activities { code name area defaultPriority }
    }
  }
`);

export const EventRowFields = graphql(`
  fragment EventRow on Event {
    id
    componentId
    submodule
    eventType
    eventTypeName
    priority
    status
    occurredAt
    actionUser { type id name email }
    targetUser { type id name email }
    flag { at }
  }
`);

export const EventsQuery = graphql(`
  query Events($filter: EventFilter!, $first: Int!, $after: String, $order: EventOrder!, $timeZone: String) {
    events(filter: $filter, first: $first, after: $after, order: $order) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...EventRow } }
      facets {
        eventType { value label count }
        status { value label count }
        priority { value label count }
        submodule { value label count }
        histogram(timeZone: $timeZone) { start end count }
      }
    }
  }
`);

export const EventQuery = graphql(`
  query Event($id: ID!) {
    event(id: $id) {
      id
      tenant
      componentId
      submodule
      eventType
      eventTypeName
      area
      description
      priority
      status
      occurredAt
      ingestedAt
      redirectUrl
      details
      actionUser { type id name email ipAddress userAgent }
      targetUser { type id name email ipAddress accountStatus currentAccountStatus }
      flag { at note by { type id name email } }
    }
  }
`);

export const FlagEventsMutation = graphql(`
  mutation FlagEvents($ids: [ID!]!, $note: String) {
    flagEvents(ids: $ids, note: $note) { id flag { at } }
  }
`);

export const UnflagEventsMutation = graphql(`
  mutation UnflagEvents($ids: [ID!]!) {
    unflagEvents(ids: $ids) { id flag { at } }
  }
`);

export const ExportEventsMutation = graphql(`
  mutation ExportEvents($filter: EventFilter, $ids: [ID!]) {
    exportEvents(filter: $filter, ids: $ids) { url expiresAt }
  }
`);

export const NotificationsQuery = graphql(`
  query Notifications($unreadOnly: Boolean, $first: Int) {
    notifications(unreadOnly: $unreadOnly, first: $first) {
      id
      eventId
      eventType
      componentId
      flaggedAt
      note
      readAt
      flaggedBy { name email id }
    }
  }
`);

export const MarkNotificationsReadMutation = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids)
  }
`);

export const SavedFiltersQuery = graphql(`
  query SavedFilters {
    savedFilters {
      id
      name
      description
      updatedAt
      filter {
        components eventTypes submodules statuses priorities from to actionUser targetUser flagged text
      }
    }
  }
`);

export const SaveFilterMutation = graphql(`
  mutation SaveFilter($input: SavedFilterInput!) {
    saveFilter(input: $input) { id name }
  }
`);

export const UpdateSavedFilterMutation = graphql(`
  mutation UpdateSavedFilter($id: ID!, $input: SavedFilterInput!) {
    updateSavedFilter(id: $id, input: $input) { id name }
  }
`);

export const DeleteSavedFilterMutation = graphql(`
  mutation DeleteSavedFilter($id: ID!) {
    deleteSavedFilter(id: $id)
  }
`);

export const ComponentQuery = graphql(`
  query Component($id: ID!) {
    component(id: $id) {
      id
      name
      loggingEnabled
      updatedAt
      updatedBy { name email }
      version
      activities { code name area defaultPriority captured }
      criteria {
        activities
        minPriority
        loggingPeriod { start end }
        captureDescription
        statuses
        captureIpAddress
        retention { value unit }
      }
      stats { captured suppressed { reason count } }
    }
  }
`);

export const ConfigureComponentMutation = graphql(`
  mutation ConfigureComponent($id: ID!, $config: ComponentConfigInput!) {
    configureComponent(id: $id, config: $config) { id version updatedAt loggingEnabled }
  }
`);

export const UserSuggestionsQuery = graphql(`
  query UserSuggestions($role: UserRole!, $prefix: String!, $first: Int) {
    userSuggestions(role: $role, prefix: $prefix, first: $first) { id name email type events }
  }
`);
