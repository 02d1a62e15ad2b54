import { GroupView, TopicView } from '../../cluster/cluster.types';
import { esc, layout, qs } from './html';

export function topicsPage(topics: readonly TopicView[], indexProblem: string | null): string {
  const rows = topics
    .map(
      (t) => `<tr class="${t.deadLetter ? 'dlq' : ''}" data-topic="${esc(t.name)}">
<td><a href="/messages${qs({ topic: t.name })}">${esc(t.name)}</a>${t.deadLetter ? ` <a class="tag" href="/dead-letters${qs({ topic: t.name })}">dead letters</a>` : ''}</td>
<td class="n">${t.partitions.length}</td><td class="n">${t.messages}</td><td class="n">${t.messagesPerSecond}</td>
<td>${t.partitions.map((p) => `<span class="tag">p${p.partition}: ${p.earliest}–${p.latest}</span>`).join(' ')}</td></tr>`,
    )
    .join('');
  const warn = indexProblem ? `<p class="warn">Message reader: ${esc(indexProblem)}</p>` : '';
  return layout(
    'Topics',
    '/',
    `${warn}<table id="topics"><thead><tr><th>Topic</th><th>Partitions</th><th>Messages</th><th>Msg/s (1 min)</th><th>Offsets (earliest–latest) per partition</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function groupsPage(groups: readonly GroupView[]): string {
  const sections = groups
    .map((g) => {
      const members = g.members
        .map((m) => `<span class="tag">${esc(m.clientId)} @ ${esc(m.host)}: ${esc(Object.entries(m.assignment).map(([t, ps]) => `${t}[${ps.join(',')}]`).join(' '))}</span>`)
        .join(' ');
      const rows = g.partitions
        .map((p) => `<tr><td>${esc(p.topic)}</td><td class="n">${p.partition}</td><td class="n">${p.committed ?? '—'}</td><td class="n">${p.latest}</td><td class="n ${p.lag > 0 ? 'warn' : ''}">${p.lag}</td></tr>`)
        .join('');
      return `<div class="box" data-group="${esc(g.groupId)}"><h2>${esc(g.groupId)} <span class="tag">${esc(g.state)}</span> <span class="tag">lag ${g.lag}</span> <span class="tag">${g.members.length} member(s)</span></h2>
<p>${members || '<span class="muted">no members</span>'}</p>
<table><thead><tr><th>Topic</th><th>Partition</th><th>Committed</th><th>Latest</th><th>Lag</th></tr></thead><tbody>${rows}</tbody></table></div>`;
    })
    .join('');
  return layout('Consumer groups', '/groups', sections || '<p class="muted">No consumer groups.</p>');
}
