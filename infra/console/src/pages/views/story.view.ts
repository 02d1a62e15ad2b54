import { messageView } from '../../messages/message.view';
import { Story } from '../../story/story.service';
import { esc, layout, pretty } from './html';

export function storyPage(id: string, story: Story | null): string {
  const form = `<form class="filter" method="get" action="/story"><label>requestId or trace id<input name="id" size="40" value="${esc(id)}"></label><button type="submit">Show</button></form>`;
  if (!story) return layout("A request's story", '/story', form);
  const links = story.traceLinks.map((l) => `<a href="${esc(l)}">trace in Jaeger</a>`).join(' · ');
  const rows = story.events
    .map((e) => {
      const v = messageView(e.message);
      const groups = e.processedBy.map((g) => `<span class="tag ok">${esc(g)}</span>`).join(' ') || '<span class="muted">not yet</span>';
      return `<tr data-id="${esc(v.id)}"${e.message.topic.endsWith('.dlq') ? ' class="dlq"' : ''}><td>${esc(v.timestamp)}</td><td><a href="${esc(v.link)}">${esc(v.id)}</a></td>
<td>${esc(String(v.value?.type ?? ''))}</td><td>${groups}</td><td><pre>${pretty(v.value?.data ?? v.value ?? v.rawValue)}</pre></td></tr>`;
    })
    .join('');
  return layout(
    "A request's story",
    '/story',
    `${form}<p id="summary">${story.events.length} event(s) for ${story.by} <b>${esc(story.id)}</b>${story.traceIds.length ? `; trace ${story.traceIds.map(esc).join(', ')}` : ''} ${links}</p>
<table id="story"><thead><tr><th>Time</th><th>Message</th><th>Type</th><th>Processed by</th><th>Data</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}
