import { parseRichText } from '../../shared/rich-text.ts';
import type { ContentResponse, DeliveredChecklist, DeliveredItem } from '../../shared/schemas/content.ts';
import { widgetStrings } from '../../shared/widget-strings.ts';

/**
 * A `POST /v1/content` answer as the server sends it: one checklist of five items, two done, one of
 * them manual, with every kind of action and a little markdown. Tests change copies of it.
 */
export const servedAt = '2026-11-23T09:59:00.000Z';

/** Text fields as authors write them: the fixtures parse them as the server does (shared/rich-text.ts). */
type Authored<T, K extends keyof T> = Partial<Omit<T, K> & Record<K, string>>;

export function item(
  overrides: Authored<DeliveredItem, 'title' | 'description'> & { id: string },
): DeliveredItem {
  const { title = `Item ${overrides.id}`, description = '', ...rest } = overrides;
  return {
    required: true,
    manual: false,
    doneAt: null,
    ...rest,
    title: parseRichText(title),
    description: parseRichText(description),
  };
}

export function checklist(
  overrides: Authored<Omit<DeliveredChecklist, 'items'>, 'title' | 'description'> & {
    items?: DeliveredItem[];
  } = {},
): DeliveredChecklist {
  const {
    title = 'Set up Ledgerly',
    description = 'Five steps to your **first paid invoice**.',
    ...rest
  } = overrides;
  return {
    id: 'cl_onboarding',
    version: 3,
    scope: 'user',
    locale: 'en',
    title: parseRichText(title),
    description: parseRichText(description),
    position: 'bottom-right',
    openOnFirstView: true,
    dismissible: true,
    urls: [],
    excludeUrls: [],
    seen: true,
    dismissed: false,
    items: [
      item({
        id: 'profile',
        title: 'Complete your profile',
        description: 'Add your company name and logo.',
        doneAt: '2026-11-20T10:00:00.000Z',
      }),
      item({
        id: 'customer',
        title: 'Add a customer',
        description: 'Who do you bill? See [the guide](https://docs.example.com/customers).',
        action: { kind: 'url', url: '/customers/new', newTab: false },
        localRule: { kind: 'event', event: 'Customer Created', where: [] },
        doneAt: '2026-11-21T10:00:00.000Z',
      }),
      item({
        id: 'invoice',
        title: 'Send your first invoice',
        description: 'Use `Send` on any draft.',
        action: { kind: 'callback', name: 'openInvoiceEditor' },
        localRule: {
          kind: 'event',
          event: 'Invoice Sent',
          where: [{ property: 'amount', op: 'gt', value: 0 }],
        },
      }),
      item({
        id: 'reports',
        title: 'Look at your reports',
        action: { kind: 'spotlight', contentId: 'sp_reports' },
        localRule: { kind: 'url', url: { match: 'prefix', pattern: '/reports', withQuery: false } },
      }),
      item({
        id: 'tour',
        title: 'Watch the product tour',
        description: 'Two minutes, *promise*.',
        manual: true,
        required: false,
      }),
    ],
    ...rest,
  };
}

export function response(overrides: Partial<ContentResponse> = {}): ContentResponse {
  return {
    theme: {
      brandColor: '#0f766e',
      font: 'system-ui, sans-serif',
      radius: 12,
      mode: 'light',
      onBrand: '#fff',
    },
    checklists: [checklist()],
    surveys: [],
    spotlights: [],
    lastPromptAt: null,
    promptCooldownHours: 72,
    // The widget's strings as the server sends them for an English user.
    strings: widgetStrings('en'),
    servedAt,
    ...overrides,
  };
}
