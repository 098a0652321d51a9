import type { EventStatus, Priority, UserType, AccountStatus, RetentionUnit } from './gql/graphql';

// Display names of the API's enum values, as the product page writes them.

export const priorities: Priority[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
export const statuses: EventStatus[] = ['SUCCESS', 'FAILED', 'IN_PROGRESS'];

export const priorityLabel: Record<Priority, string> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
};

export const statusLabel: Record<EventStatus, string> = {
  SUCCESS: 'Success',
  FAILED: 'Failed',
  IN_PROGRESS: 'In progress',
};

export const userTypeLabel: Record<UserType, string> = {
  DASHBOARD: 'Dashboard',
  BOT: 'Bot',
  SYSTEM: 'System',
};

export const accountStatusLabel: Record<AccountStatus, string> = {
  ACTIVE: 'Active',
  TERMINATED: 'Terminated',
};

export const unitLabel: Record<RetentionUnit, string> = {
  DAYS: 'Days',
  WEEKS: 'Weeks',
  MONTHS: 'Months',
  YEARS: 'Years',
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '';
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? dateOnly.format(new Date(iso)) : '';
}

export function userLabel(u: { name?: string | null; email?: string | null; id?: string | null } | null | undefined): string {
  if (!u) return '';
  return u.name || u.email || u.id || '';
}
