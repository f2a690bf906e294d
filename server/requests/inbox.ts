import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { normalize } from '../kernel/text.js';
import { statusFilters, statusLabels, statusTags } from './labels.js';
import { boxCounts, listInbox, requestSubject, waitingFor } from './requests.repository.js';

const INBOX_PAGE_SIZE = 20;

export interface InboxQuery {
  structure?: number | undefined;
  boite?: 'recues' | 'envoyees' | undefined;
  statut?: string | undefined;
  q?: string | undefined;
  page?: number | undefined;
}

function itemView(row: Awaited<ReturnType<typeof listInbox>>['items'][number], organisationId: number) {
  const { request } = row;
  return {
    id: request.id,
    subject: requestSubject(row.offerTitle, row.needTitle, row.partnerName),
    counterpart: request.acmId === organisationId ? row.partnerName : row.acmName,
    status: request.status,
    statusLabel: statusLabels[request.status],
    statusTag: statusTags[request.status],
    lastActivityAt: request.lastActivityAt,
    createdAt: request.createdAt,
    expiresAt: request.status === 'sent' ? request.expiresAt : null,
    childrenCount: request.childrenCount,
    unread: row.unread,
  };
}

/** The inbox of one of the user's organisations: received or sent requests, filtered. */
export async function loadInbox(deps: Deps, user: CurrentUser, query: InboxQuery) {
  const organisations = user.memberships;
  if (organisations.length === 0) return { organisations, organisation: null };
  const organisation = organisations.find((m) => m.organisationId === query.structure) ?? organisations[0]!;
  const box = query.boite === 'recues' ? 'received' : query.boite === 'envoyees' ? 'sent' : organisation.kind === 'partner' ? 'received' : 'sent';
  const filter = statusFilters.find((f) => f.value === query.statut) ?? null;
  const text = (query.q ?? '').trim().slice(0, 100);
  const page = query.page ?? 1;
  const [{ items, total }, counts] = await Promise.all([
    listInbox(deps.db, {
      organisationId: organisation.organisationId,
      box,
      statuses: filter?.statuses,
      query: normalize(text) || undefined,
      limit: INBOX_PAGE_SIZE,
      offset: (page - 1) * INBOX_PAGE_SIZE,
    }),
    boxCounts(deps.db, organisation.organisationId),
  ]);
  return {
    organisations,
    organisation,
    box,
    boxSlug: box === 'received' ? 'recues' : 'envoyees',
    counts,
    statusFilters,
    filters: { statut: filter?.value ?? '', q: text },
    items: items.map((row) => itemView(row, organisation.organisationId)),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / INBOX_PAGE_SIZE)),
  };
}

/** The dashboard block: requests to answer and threads with unread messages, for all the user's organisations. */
export async function loadWaiting(deps: Deps, user: CurrentUser) {
  const organisationIds = user.memberships.map((m) => m.organisationId);
  const rows = await waitingFor(deps.db, organisationIds);
  const seen = new Set<number>();
  const items = [];
  for (const row of rows) {
    if (seen.has(row.request.id)) continue;
    seen.add(row.request.id);
    const mineIsAddressee =
      (row.request.direction === 'acm_to_partner' && row.request.partnerId === row.organisationId) ||
      (row.request.direction === 'partner_to_acm' && row.request.acmId === row.organisationId);
    items.push({
      ...itemView(row, row.organisationId),
      toAnswer: mineIsAddressee && row.request.status === 'sent',
      organisationName: user.memberships.find((m) => m.organisationId === row.organisationId)?.name ?? '',
    });
  }
  items.sort((a, b) => Number(b.toAnswer) - Number(a.toAnswer) || b.lastActivityAt.getTime() - a.lastActivityAt.getTime());
  return {
    items: items.slice(0, 8),
    toAnswer: items.filter((i) => i.toAnswer).length,
    unreadThreads: items.filter((i) => i.unread > 0).length,
    several: organisationIds.length > 1,
  };
}
