// The events the browser tests search: every filter of Explore has events
// it keeps and events it drops.
const day = 24 * 3600 * 1000;

export const people = {
  ada: { type: 'DASHBOARD', id: 'ada', name: 'Ada Admin', email: 'ada@example.com' },
  wei: { type: 'DASHBOARD', id: 'wei', name: 'Wei Chen', email: 'wei.chen@example.com' },
  bot: { type: 'BOT', id: 'helpbot', name: 'Help Bot' },
  sys: { type: 'SYSTEM', id: 'scheduler', name: 'Onboarding scheduler' },
};

const targets = [
  { type: 'DASHBOARD', id: 'tom', name: 'Tom Evans', email: 'tom@example.com', accountStatus: 'ACTIVE' },
  { type: 'DASHBOARD', id: 'mia', name: 'Mia Novak', email: 'mia@example.com', accountStatus: 'TERMINATED' },
  null,
];

const kinds = [
  ['KMS', 'ARTICLE_PUBLISHED', 'Article lifecycle', 'published the article'],
  ['KMS', 'ARTICLE_ARCHIVED', 'Article lifecycle', 'archived the article'],
  ['KMS', 'TAG_CREATED', 'KM settings', 'created the tag'],
  ['SET', 'PASSWORD_CHANGED', 'Dashboard users', 'changed the password of'],
  ['SET', 'USER_DEACTIVATED', 'Dashboard users', 'deactivated'],
  ['CMS', 'CREATE_USER_GROUP', 'User Groups', 'created the user group'],
];
const statuses = ['SUCCESS', 'SUCCESS', 'FAILED', 'IN_PROGRESS'];
const words = ['quarterly', 'onboarding', 'payroll', 'security', 'handbook'];

// dataset returns n events spread over the last 20 days, newest first.
export function dataset(n = 36, now = Date.now()) {
  const actors = [people.ada, people.wei, people.bot, people.sys];
  const out = [];
  for (let i = 0; i < n; i++) {
    const [componentId, eventType, submodule, verb] = kinds[i % kinds.length];
    const actor = actors[i % actors.length];
    const target = targets[i % targets.length];
    out.push({
      id: `web-${i}`,
      componentId,
      eventType,
      submodule,
      status: statuses[i % statuses.length],
      occurredAt: new Date(now - (i * 20 * day) / n - 3600 * 1000).toISOString(),
      description: `${actor.name} ${verb} ${words[i % words.length]} item ${i}`,
      redirectUrl: `https://dashboard.example.com/config/${i}`,
      details: { ticket: `T-${1000 + i}`, region: i % 2 ? 'eu' : 'us' },
      actionUser: { ...actor, ipAddress: `10.0.0.${i + 1}`, userAgent: 'Mozilla/5.0 test' },
      ...(target ? { targetUser: target } : {}),
    });
  }
  // Mia is back: her newest status is Active, the older events recorded Terminated.
  out.push({
    id: 'web-mia-back',
    componentId: 'SET',
    eventType: 'USER_REACTIVATED',
    status: 'SUCCESS',
    occurredAt: new Date(now - 10 * 60 * 1000).toISOString(),
    description: 'Ada reactivated Mia',
    actionUser: people.ada,
    targetUser: { ...targets[1], accountStatus: 'ACTIVE' },
  });
  return out;
}
