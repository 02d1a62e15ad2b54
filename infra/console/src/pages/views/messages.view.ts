import { MessageView } from '../../messages/message.view';
import { esc, layout, pretty, qs } from './html';

export type FilterValues = Readonly<Record<string, string | undefined>>;

const FIELDS: Array<[string, string, string]> = [
  ['key', 'Key', '20'],
  ['eventId', 'eventId', '36'],
  ['requestId', 'requestId', '36'],
  ['traceId', 'Trace id', '32'],
  ['from', 'From (ISO time)', '22'],
  ['to', 'To (ISO time)', '22'],
];

export function filterForm(action: string, topics: readonly string[], values: FilterValues, extra = ''): string {
  const options = ['<option value="">all topics</option>', ...topics.map((t) => `<option${t === values.topic ? ' selected' : ''}>${esc(t)}</option>`)].join('');
  const inputs = FIELDS.map(([name, label, size]) => `<label>${esc(label)}<input name="${name}" size="${size}" value="${esc(values[name] ?? '')}"></label>`).join('');
  return `<form class="filter" method="get" action="${action}"><label>Topic<select name="topic">${options}</select></label>
<label>Partition<input name="partition" size="3" value="${esc(values.partition ?? '')}"></label>${inputs}${extra}<button type="submit">Filter</button></form>`;
}

export function messageRow(m: MessageView): string {
  const value = m.value !== null ? pretty(m.value) : m.rawValue !== null ? `<span class="warn">not JSON (base64):</span> ${esc(m.rawValue)}` : '<span class="muted">empty</span>';
  return `<tr data-id="${esc(m.id)}"><td><a href="${esc(m.link)}">${esc(m.id)}</a><br><span class="muted">${esc(m.timestamp)}</span></td>
<td>${esc(m.key ?? '')}</td><td><pre>${pretty(m.headers)}</pre></td><td><pre>${value}</pre></td></tr>`;
}

export function messagesPage(topics: readonly string[], values: FilterValues, total: number, messages: readonly MessageView[]): string {
  const rows = messages.map(messageRow).join('');
  return layout(
    'Messages',
    '/messages',
    `${filterForm('/messages', topics, values)}
<p id="count">${total} message(s) match${total > messages.length ? `, newest ${messages.length} shown` : ''}.</p>
<table id="messages"><thead><tr><th>topic/partition/offset</th><th>Key</th><th>Headers</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function messagePage(m: MessageView): string {
  const story = m.requestId ? `<a href="/story${qs({ id: m.requestId })}">this request's story</a>` : '';
  const trace = m.traceId ? ` · <a href="/story${qs({ id: m.traceId })}">this trace's story</a>` : '';
  return layout(
    m.id,
    '/messages',
    `<p>${story}${trace}</p><table><tbody>
<tr><th>Time</th><td>${esc(m.timestamp)}</td></tr><tr><th>Key</th><td>${esc(m.key ?? '')}</td></tr>
<tr><th>eventId</th><td>${esc(m.eventId ?? '')}</td></tr><tr><th>requestId</th><td>${esc(m.requestId ?? '')}</td></tr>
<tr><th>Trace id</th><td>${esc(m.traceId ?? '')}</td></tr><tr><th>Headers</th><td><pre>${pretty(m.headers)}</pre></td></tr>
<tr><th>Value</th><td><pre>${m.value !== null ? pretty(m.value) : esc(m.rawValue ?? '')}</pre></td></tr></tbody></table>`,
  );
}
